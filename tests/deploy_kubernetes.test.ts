// deploy/kubernetes/vitals-sidecar.yaml, checked against the Kubernetes API
// schema and against vitals itself; at the end, its gRPC and TLS variants
// (vitals-sidecar-grpc.yaml, vitals-sidecar-tls.yaml) and the LLM recipe
// (vitals-llm.yaml) too.
//
// The schema is the npm package kubernetes-models: the OpenAPI definitions of
// Kubernetes 1.36.0, compiled into one ajv validator per kind (types, required
// fields, enums, formats such as quantities). Those validators accept fields
// the schema does not define: the definitions carry no
// `additionalProperties: false`, and the package ships compiled code, not a
// JSON Schema to add it to. So this file rejects unknown fields itself, as
// `kubectl apply` (strict field validation) does: it hands the validator the
// document behind a Proxy that records which keys the validator reads. A
// compiled validator reads every field its schema defines, present or not, and
// lists the keys of a map (labels, ConfigMap data, resource limits) before
// reading each; a key of an object that it neither read nor listed is one the
// schema lacks. An object of which it read no key at all has no defined field
// (x-kubernetes-preserve-unknown-fields) and stays open. Loading both
// validators takes about 0.1 s (some 120 ms on Deno, 60 ms on Bun).
//
// Then the manifest against vitals: the probes use routes vitals serves, on its
// port; the ConfigMap's config loads with vitals' own loader, where the image
// looks for it; the user, privileges, shared volume and grace period are the
// ones that config and the distroless image need, the user set on vitals'
// container, not the pod's (which would bind the app too); and no shared
// dependency is in a probe's group, since one blip of it would take every
// replica out of service at once. The gRPC variant is the same recipe, so it
// keeps all of these (the last test compares the two).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { validate as validateDeployment } from "kubernetes-models/_schemas/IoK8sApiAppsV1Deployment";
import { validate as validateConfigMap } from "kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap";
import { parseAllDocuments } from "yaml";
import { parseConfig } from "../src/config/load.ts";
import type { Config } from "../src/config/resolve.ts";
import { ROUTE_LIST } from "../src/http/_route.ts";
import { SERVICE_SCOPES } from "../src/grpc/server/health_server.ts";
import { ROOT } from "./_helpers/files.ts";

const MANIFEST = `${ROOT}deploy/kubernetes/vitals-sidecar.yaml`;
/** Where the image's VITALS_CONFIG points vitals. */
const CONFIG_PATH = "/etc/vitals/vitals.yaml";
/** distroless' nonroot user. */
const NONROOT = 65532;

/** An ajv error, as the compiled validators leave them in `errors`. */
interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** A compiled validator: true when `data` is valid, else its errors in `errors`. */
type Validator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

/** The schema of each kind the manifest holds, by `apiVersion/kind`. */
const SCHEMAS: Record<string, Validator> = {
  "v1/ConfigMap": validateConfigMap,
  "apps/v1/Deployment": validateDeployment,
};

/** A key as a JSON Pointer segment, as ajv writes `instancePath`. */
function pointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** What a validator did with one object of the document. */
interface Reads {
  path: string;
  target: object;
  read: Set<string>;
  listed: boolean;
}

/**
 * Runs `validate` on `document` behind a Proxy; returns its verdict and the
 * path of every key the validator neither read nor listed, in an object of
 * which it read some key: the fields its schema lacks.
 */
function validateStrictly(validate: Validator, document: unknown) {
  const seen: Reads[] = [];
  const proxies = new WeakMap<object, object>();
  const watch = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== "object") return value;
    const known = proxies.get(value);
    if (known) return known;
    const reads: Reads = { path, target: value, read: new Set(), listed: false };
    seen.push(reads);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        const child: unknown = Reflect.get(target, key, receiver);
        if (typeof key !== "string") return child;
        reads.read.add(key);
        return Object.hasOwn(target, key) ? watch(child, `${path}/${pointer(key)}`) : child;
      },
      ownKeys(target) {
        reads.listed = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  const valid = validate(watch(document, ""));
  const unknown = seen
    .filter(({ target, read, listed }) => !Array.isArray(target) && !listed && read.size > 0)
    .flatMap(({ path, target, read }) =>
      Object.keys(target).filter((key) => !read.has(key)).map((key) => `${path}/${pointer(key)}`)
    );
  return { valid, errors: valid ? [] : validate.errors ?? [], unknown };
}

/** Every problem the schema of `document`'s kind finds, one line each; none when valid. */
function schemaProblems(document: unknown): string[] {
  const { apiVersion, kind } = document as { apiVersion?: unknown; kind?: unknown };
  const validate = SCHEMAS[`${apiVersion}/${kind}`];
  if (!validate) return [`no schema here for apiVersion ${apiVersion}, kind ${kind}`];
  const { errors, unknown } = validateStrictly(validate, document);
  return [
    ...errors.map((e) => `${e.instancePath || "/"}: ${e.keyword} ${JSON.stringify(e.params)}`),
    ...unknown.map((path) => `${path}: unknown field (not in the ${kind} schema)`),
  ];
}

let parsed: unknown[] | undefined;

/** The manifest's documents, as plain data, parsed once: tests change only copies. */
function documents(): unknown[] {
  if (parsed) return parsed;
  const docs = parseAllDocuments(readFileSync(MANIFEST, "utf8"));
  assert.ok(Array.isArray(docs), "the manifest holds documents");
  for (const doc of docs) assert.deepEqual(doc.errors, [], "the manifest is valid YAML");
  return parsed = docs.map((doc) => doc.toJS() as unknown);
}

/** The manifest's one document of `kind`. */
function only<T>(kind: string): T {
  const found = documents().filter((doc) => (doc as { kind?: unknown }).kind === kind);
  assert.equal(found.length, 1, `one ${kind} in the manifest`);
  return found[0] as T;
}

function deployment(): IDeployment {
  return only<IDeployment>("Deployment");
}

function podSpec(): IPodSpec {
  const spec = deployment().spec?.template.spec;
  assert.ok(spec, "the Deployment has a pod template spec");
  return spec;
}

/** The init container named vitals: the sidecar. */
function vitals(): IContainer {
  const found = podSpec().initContainers?.find((container) => container.name === "vitals");
  assert.ok(found, "an init container named vitals");
  return found;
}

/** The app: the pod's one container (vitals is an init container). */
function app(): IContainer {
  const [container, ...others] = podSpec().containers;
  assert.ok(container, "the pod has a container");
  assert.deepEqual(others, [], "one app container");
  return container;
}

/** vitals' config, loaded by vitals' own loader from the ConfigMap's vitals.yaml. */
function vitalsConfig(): Config {
  const text = only<IConfigMap>("ConfigMap").data?.["vitals.yaml"];
  assert.ok(text !== undefined, "the ConfigMap has a vitals.yaml key");
  return parseConfig(text, "vitals.yaml", {});
}

test("every document of the manifest is valid against its kind's Kubernetes 1.36 schema, unknown fields rejected", () => {
  const kinds = documents().map((document) => {
    assert.deepEqual(schemaProblems(document), []);
    return (document as { kind?: unknown }).kind;
  });
  assert.deepEqual(kinds, ["ConfigMap", "Deployment"]);
});

test("a copy with an unknown field (livenessProbe.httpGett) is rejected, naming the field's path", () => {
  const copy = structuredClone(deployment());
  const probe = copy.spec?.template.spec?.containers[0]?.livenessProbe;
  assert.ok(probe, "the app has a liveness probe");
  Object.assign(probe, { httpGett: { path: "/health/live/simple", port: 8080 } });
  assert.deepEqual(schemaProblems(copy), [
    "/spec/template/spec/containers/0/livenessProbe/httpGett: unknown field (not in the Deployment schema)",
  ]);
});

test("a copy with a value of the wrong type (periodSeconds: 10s) is rejected, naming the value's path", () => {
  const copy = structuredClone(deployment());
  const probe = copy.spec?.template.spec?.containers[0]?.readinessProbe;
  assert.ok(probe, "the app has a readiness probe");
  Object.assign(probe, { periodSeconds: "10s" });
  assert.deepEqual(schemaProblems(copy), [
    '/spec/template/spec/containers/0/readinessProbe/periodSeconds: type {"type":"integer"}',
  ]);
});

test("vitals is a native sidecar: an init container with restartPolicy Always", () => {
  assert.equal(vitals().restartPolicy, "Always");
  assert.ok(!podSpec().containers.some((c) => c.name === "vitals"), "not a regular container");
});

test("the app's startup, liveness and readiness probes GET routes vitals serves, on vitals' port", () => {
  const ports = vitals().ports ?? [];
  assert.equal(ports.length, 1, "vitals exposes one port");
  const vitalsPort = ports[0]!;
  assert.equal(vitalsPort.containerPort, vitalsConfig().server.port, "vitals listens there");
  const probes = {
    startupProbe: "/health/started/simple",
    livenessProbe: "/health/live/simple",
    readinessProbe: "/health/ready/simple",
  } as const;
  for (const [probe, path] of Object.entries(probes)) {
    const get = app()[probe as keyof typeof probes]?.httpGet;
    assert.ok(get, `the app's ${probe} is an httpGet`);
    assert.equal(get.path, path, probe);
    assert.ok(ROUTE_LIST.includes(path), `vitals serves ${path}`);
    // A port is a number or the name of a container port.
    const port = typeof get.port === "string"
      ? ports.find((p) => p.name === get.port)?.containerPort
      : get.port;
    assert.equal(port, vitalsPort.containerPort, `${probe} targets vitals' port`);
  }
});

test("the ConfigMap's vitals.yaml loads with vitals' own loader and its checks cover started, live and ready", () => {
  const config = vitalsConfig();
  const groups = new Set(config.checks.flatMap((check) => check.groups));
  for (const group of ["started", "live", "ready"] as const) {
    assert.ok(groups.has(group), `a check in the ${group} group`);
  }
});

test(`vitals reads the ConfigMap's vitals.yaml at ${CONFIG_PATH}, where the image's VITALS_CONFIG points`, () => {
  assert.match(
    readFileSync(`${ROOT}Dockerfile`, "utf8"),
    new RegExp(`^ENV VITALS_CONFIG=${CONFIG_PATH}$`, "m"),
  );
  const dir = CONFIG_PATH.slice(0, CONFIG_PATH.lastIndexOf("/"));
  const mount = vitals().volumeMounts?.find((m) => m.mountPath === dir);
  assert.ok(mount, `vitals mounts a volume at ${dir}`);
  assert.equal(mount.subPath, undefined, "the whole ConfigMap, so --watch sees its updates");
  const volume = podSpec().volumes?.find((v) => v.name === mount.name);
  assert.ok(volume?.configMap, `${mount.name} is a ConfigMap volume`);
  assert.equal(volume.configMap.name, only<IConfigMap>("ConfigMap").metadata?.name);
  assert.equal(volume.configMap.items, undefined, "every key, vitals.yaml among them, by its name");
});

test("vitals runs as non-root user 65532, set on its own container and not on the pod, whose user would bind the app too", () => {
  const pod = podSpec().securityContext ?? {};
  for (const key of ["runAsUser", "runAsGroup", "runAsNonRoot"] as const) {
    assert.equal(pod[key], undefined, `the pod sets ${key}, which binds the app container too`);
  }
  const own = vitals().securityContext ?? {};
  assert.equal(own.runAsNonRoot, true, "vitals: runAsNonRoot");
  // By number, so the kubelet can verify runAsNonRoot without reading /etc/passwd.
  assert.equal(own.runAsUser, NONROOT, "vitals: runAsUser");
  assert.equal(own.runAsGroup, NONROOT, "vitals: runAsGroup");
  assert.equal(app().securityContext?.runAsUser, undefined, "the app's user is the app's own");
  for (const container of [vitals(), app()]) {
    const settings = container.securityContext ?? {};
    assert.equal(settings.allowPrivilegeEscalation, false, `${container.name}: no escalation`);
  }
  assert.equal(vitals().securityContext?.readOnlyRootFilesystem, true);
  assert.match(
    readFileSync(MANIFEST, "utf8"),
    /# Set on vitals, not on the pod: a pod-level user would bind the app\n\s*# container too\./,
    "the manifest says why the user is set on vitals' container",
  );
});

/** Whether a check reaches something inside the pod (loopback), not a dependency others share. */
function inPod(check: Config["checks"][number]): boolean {
  const loopback = (host: string) => /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/.test(host);
  if (check.type === "tcp" || check.type === "grpc") return loopback(check.host);
  if (check.type === "http" || check.type === "tabbyapi") {
    return loopback(new URL(check.url).hostname);
  }
  return true;
}

test("no shared dependency (a check of a host outside the pod) is in a probe's group, and the config says why", () => {
  const checks = vitalsConfig().checks;
  const shared = checks.filter((check) => !inPod(check));
  assert.deepEqual(shared.map((check) => check.name), ["redis"], "the recipe's shared Redis");
  for (const check of shared) {
    assert.deepEqual(
      check.groups.filter((group) => ["started", "live", "ready"].includes(group)),
      [],
      `${check.name} is shared by every replica: in readiness one blip fails them all at once`,
    );
  }
  assert.ok(
    checks.some((check) => check.groups.includes("ready") && check.critical),
    "readiness still has the pod's own critical checks",
  );
  const text = only<IConfigMap>("ConfigMap").data?.["vitals.yaml"] ?? "";
  assert.match(
    text.replace(/\n\s*#\s*/g, " "),
    /shared by every replica.*take every replica out of service at once, a cascading outage/,
    "the config says why the shared dependency is out of readiness",
  );
});

test("vitals mounts the volume holding the file check's path, which the app mounts writable", () => {
  const files = vitalsConfig().checks.flatMap((check) => check.type === "file" ? [check.path] : []);
  assert.ok(files.length > 0, "the config has a file check");
  for (const path of files) {
    const mount = vitals().volumeMounts?.find((m) => path.startsWith(`${m.mountPath}/`));
    assert.ok(mount, `vitals mounts a volume holding ${path}`);
    const appMount = app().volumeMounts?.find((m) => m.name === mount.name);
    assert.ok(appMount, `the app mounts ${mount.name} too, to write ${path}`);
    assert.notEqual(appMount.readOnly, true, `the app can write to ${mount.name}`);
    const volume = podSpec().volumes?.find((v) => v.name === mount.name);
    assert.ok(volume?.emptyDir, `${mount.name} is an emptyDir the pod's containers share`);
  }
});

test("terminationGracePeriodSeconds outlasts vitals' drainDelay plus 5 s", () => {
  const grace = podSpec().terminationGracePeriodSeconds;
  assert.ok(grace !== undefined, "the pod sets terminationGracePeriodSeconds");
  const drainDelay = vitalsConfig().server.drainDelay;
  assert.ok(drainDelay > 0, "the config sets a drainDelay");
  assert.ok(
    grace * 1000 > drainDelay + 5000,
    `${grace} s must exceed drainDelay ${drainDelay / 1000} s + 5 s`,
  );
});

// deploy/kubernetes/vitals-sidecar-grpc.yaml: the same recipe with kubelet's grpc: probes.

const GRPC_MANIFEST = `${ROOT}deploy/kubernetes/vitals-sidecar-grpc.yaml`;

/** The gRPC variant's documents, as plain data. */
function grpcDocuments(): unknown[] {
  const docs = parseAllDocuments(readFileSync(GRPC_MANIFEST, "utf8"));
  assert.ok(Array.isArray(docs), "the gRPC variant holds documents");
  for (const doc of docs) assert.deepEqual(doc.errors, [], "the gRPC variant is valid YAML");
  return docs.map((doc) => doc.toJS() as unknown);
}

test("the gRPC variant is valid against the Kubernetes 1.36 schema, unknown fields rejected", () => {
  const kinds = grpcDocuments().map((document) => {
    assert.deepEqual(schemaProblems(document), []);
    return (document as { kind?: unknown }).kind;
  });
  assert.deepEqual(kinds, ["ConfigMap", "Deployment"]);
});

test("the gRPC variant's probes call Check on vitals' server.grpc port for started, live and ready", () => {
  const [configMap, variant] = grpcDocuments() as [IConfigMap, IDeployment];
  const config = parseConfig(configMap.data?.["vitals.yaml"] ?? "", "vitals.yaml", {});
  const grpcPort = config.server.grpc?.port;
  assert.ok(grpcPort, "vitals' config sets server.grpc.port");
  const spec = variant.spec?.template.spec;
  const sidecar = spec?.initContainers?.find((container) => container.name === "vitals");
  assert.ok(sidecar?.ports?.some((port) => port.containerPort === grpcPort), "vitals exposes it");
  const probes = { startupProbe: "started", livenessProbe: "live", readinessProbe: "ready" };
  for (const [probe, service] of Object.entries(probes)) {
    const grpc = spec?.containers[0]?.[probe as keyof typeof probes]?.grpc;
    assert.deepEqual(grpc, { port: grpcPort, service }, probe);
    assert.ok(SERVICE_SCOPES.has(service), `vitals serves the service name ${service}`);
  }
});

test("apart from its probes, vitals' ports and server.grpc, the gRPC variant is the HTTP recipe", () => {
  const strip = (documents: unknown[]) => {
    const [configMap, variant] = structuredClone(documents) as [IConfigMap, IDeployment];
    const config = parseConfig(configMap.data?.["vitals.yaml"] ?? "", "vitals.yaml", {});
    const spec = variant.spec!.template.spec!;
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"] as const) {
      delete spec.containers[0]![probe]!.httpGet;
      delete spec.containers[0]![probe]!.grpc;
    }
    delete spec.initContainers!.find((container) => container.name === "vitals")!.ports;
    return { server: { ...config.server, grpc: undefined }, checks: config.checks, variant };
  };
  assert.deepEqual(strip(grpcDocuments()), strip(documents()));
});

// deploy/kubernetes/vitals-sidecar-tls.yaml: the same recipe serving HTTPS
// with a certificate from a mounted Secret, and HTTPS probes.

const TLS_MANIFEST = `${ROOT}deploy/kubernetes/vitals-sidecar-tls.yaml`;

/** The TLS variant's documents, as plain data. */
function tlsDocuments(): unknown[] {
  const docs = parseAllDocuments(readFileSync(TLS_MANIFEST, "utf8"));
  assert.ok(Array.isArray(docs), "the TLS variant holds documents");
  for (const doc of docs) assert.deepEqual(doc.errors, [], "the TLS variant is valid YAML");
  return docs.map((doc) => doc.toJS() as unknown);
}

test("the TLS variant is valid against the Kubernetes 1.36 schema, unknown fields rejected", () => {
  const kinds = tlsDocuments().map((document) => {
    assert.deepEqual(schemaProblems(document), []);
    return (document as { kind?: unknown }).kind;
  });
  assert.deepEqual(kinds, ["ConfigMap", "Deployment"]);
});

test("the TLS variant serves server.tls from a mounted Secret and probes with scheme HTTPS", () => {
  const [configMap, variant] = tlsDocuments() as [IConfigMap, IDeployment];
  const config = parseConfig(configMap.data?.["vitals.yaml"] ?? "", "vitals.yaml", {});
  const tls = config.server.tls;
  assert.ok(tls, "vitals' config sets server.tls");
  assert.equal(tls.clientCa, undefined, "kubelet's probes present no client certificate");
  const spec = variant.spec!.template.spec!;
  const sidecar = spec.initContainers!.find((container) => container.name === "vitals")!;
  const mount = sidecar.volumeMounts!.find((m) => tls.cert.startsWith(`${m.mountPath}/`));
  assert.ok(mount, `a volume mounted where ${tls.cert} is`);
  assert.ok(tls.key.startsWith(`${mount.mountPath}/`), "the key beside it");
  assert.equal(mount.subPath, undefined, "a whole-volume mount: subPath mounts never update");
  const secret = spec.volumes!.find((v) => v.name === mount.name)?.secret;
  assert.ok(secret?.secretName, "the volume is a Secret");
  assert.deepEqual(
    [tls.cert, tls.key].map((file) => file.slice(mount.mountPath.length + 1)),
    ["tls.crt", "tls.key"],
    "the keys of a kubernetes.io/tls Secret",
  );
  for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"] as const) {
    const get = spec.containers[0]![probe]!.httpGet!;
    assert.equal(get.scheme, "HTTPS", probe);
    assert.equal(get.port, config.server.port, probe);
  }
});

test("apart from server.tls, its Secret and the probes' scheme, the TLS variant is the HTTP recipe", () => {
  const strip = (documents: unknown[]) => {
    const [configMap, variant] = structuredClone(documents) as [IConfigMap, IDeployment];
    const config = parseConfig(configMap.data?.["vitals.yaml"] ?? "", "vitals.yaml", {});
    const spec = variant.spec!.template.spec!;
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"] as const) {
      delete spec.containers[0]![probe]!.httpGet!.scheme;
    }
    const sidecar = spec.initContainers!.find((container) => container.name === "vitals")!;
    sidecar.volumeMounts = sidecar.volumeMounts!.filter((m) => m.name !== "vitals-tls");
    spec.volumes = spec.volumes!.filter((v) => v.name !== "vitals-tls");
    return { server: { ...config.server, tls: undefined }, checks: config.checks, variant };
  };
  assert.deepEqual(strip(tlsDocuments()), strip(documents()));
});

// deploy/kubernetes/vitals-llm.yaml: a vLLM server with vitals as its native
// sidecar, one `llm` check answering all three probes.

const LLM_MANIFEST = `${ROOT}deploy/kubernetes/vitals-llm.yaml`;

/** The LLM recipe's text and documents, as plain data. */
function llmRecipe() {
  const text = readFileSync(LLM_MANIFEST, "utf8");
  const docs = parseAllDocuments(text);
  assert.ok(Array.isArray(docs), "the LLM recipe holds documents");
  for (const doc of docs) assert.deepEqual(doc.errors, [], "the LLM recipe is valid YAML");
  const [configMap, deployment, ...rest] = docs.map((doc) => doc.toJS() as unknown) as [
    IConfigMap,
    IDeployment,
  ];
  assert.deepEqual(rest, [], "a ConfigMap and a Deployment");
  const spec = deployment.spec?.template.spec;
  assert.ok(spec, "the Deployment has a pod template spec");
  const sidecar = spec.initContainers?.find((container) => container.name === "vitals");
  assert.ok(sidecar, "an init container named vitals");
  const [server, ...others] = spec.containers;
  assert.ok(server, "the pod has a container");
  assert.deepEqual(others, [], "one server container");
  const config = parseConfig(configMap.data?.["vitals.yaml"] ?? "", "vitals.yaml", {});
  return { text, configMap, deployment, spec, sidecar, server, config };
}

test("the LLM recipe is valid against the Kubernetes 1.36 schema, unknown fields rejected", () => {
  const { configMap, deployment } = llmRecipe();
  assert.equal(configMap.kind, "ConfigMap");
  assert.equal(deployment.kind, "Deployment");
  assert.deepEqual(schemaProblems(configMap), []);
  assert.deepEqual(schemaProblems(deployment), []);
});

test("the LLM recipe's vitals.yaml loads with vitals' own loader: one llm check of the vLLM container, in every probe's group, with the stall watchdog", () => {
  const { config, server } = llmRecipe();
  assert.equal(config.checks.length, 1, "one check");
  const check = config.checks[0]!;
  assert.ok(check.type === "llm", "an llm check");
  assert.equal(check.server, "vllm");
  assert.deepEqual([...check.groups].sort(), ["live", "ready", "started"]);
  assert.equal(check.critical, true);
  assert.equal(config.cache.mode, "background", "a deep probe stays off the probes' path");
  const url = new URL(check.url);
  assert.equal(url.hostname, "127.0.0.1", "the server in the pod, over loopback");
  assert.ok(
    server.ports?.some((port) => port.containerPort === Number(url.port)),
    `the vLLM container listens on ${url.port}`,
  );
  assert.ok(check.generate !== false, "the deep probe is on");
  assert.ok(check.timeout > check.generate.timeout, "a run has room for a generation");
  assert.deepEqual(
    (check as { stall?: unknown }).stall,
    { stallAfter: 120_000, scrapeTimeout: 2_000 },
    "stall: { stallAfter: 2m }",
  );
});

test("the LLM recipe runs vLLM on one GPU with vitals as a native sidecar, its user set on vitals' container only", () => {
  const { spec, sidecar, server } = llmRecipe();
  assert.equal(sidecar.restartPolicy, "Always");
  assert.match(server.image ?? "", /^vllm\/vllm-openai:v\d+\.\d+\.\d+$/, "a pinned vLLM tag");
  assert.equal(server.resources?.limits?.["nvidia.com/gpu"], 1);
  for (const key of ["runAsUser", "runAsGroup", "runAsNonRoot"] as const) {
    assert.equal(spec.securityContext?.[key], undefined, `the pod sets ${key}`);
  }
  const own = sidecar.securityContext ?? {};
  assert.equal(own.runAsNonRoot, true);
  assert.equal(own.runAsUser, NONROOT);
  assert.equal(own.runAsGroup, NONROOT);
  assert.equal(own.allowPrivilegeEscalation, false);
  assert.equal(own.readOnlyRootFilesystem, true);
  assert.deepEqual(own.capabilities?.drop, ["ALL"]);
  assert.equal(server.securityContext?.runAsUser, undefined, "the server's user is its own");
  const mount = sidecar.volumeMounts?.find((m) => m.mountPath === "/etc/vitals");
  assert.ok(mount && mount.subPath === undefined, "the whole ConfigMap at /etc/vitals");
  const volume = spec.volumes?.find((v) => v.name === mount.name);
  assert.equal(volume?.configMap?.name, "llm-vitals");
});

test("the LLM recipe's probes GET vitals' routes on its port: 20 minutes to load, slack for a busy node, a comment on each", () => {
  const { text, sidecar, server, config, spec } = llmRecipe();
  const port = sidecar.ports?.find((p) => p.name === "vitals")?.containerPort;
  assert.equal(port, config.server.port, "vitals listens on its named port");
  const paths = {
    startupProbe: "/health/started/simple",
    readinessProbe: "/health/ready/simple",
    livenessProbe: "/health/live/simple",
  } as const;
  for (const [name, path] of Object.entries(paths)) {
    const probe = server[name as keyof typeof paths];
    assert.equal(probe?.httpGet?.path, path, name);
    assert.equal(probe.httpGet.port, port, `${name} targets vitals' port`);
    assert.ok(ROUTE_LIST.includes(path), `vitals serves ${path}`);
    // vitals answers within maxWait; the rest is room for a CPU-starved node.
    assert.ok((probe.timeoutSeconds ?? 1) * 1000 > config.server.maxWait * 2, `${name} timeout`);
    assert.match(text, new RegExp(`# [^\\n]*\\n(\\s*#[^\\n]*\\n)*\\s*${name}:`), `${name} comment`);
  }
  const startup = server.startupProbe!;
  const budget = (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3);
  assert.equal(budget, 20 * 60, "the startup budget is 20 minutes of model load");
  const live = server.livenessProbe!;
  assert.ok(
    (live.periodSeconds ?? 10) * (live.failureThreshold ?? 3) >= 60,
    "a minute of failed liveness before a restart that reloads the model",
  );
  assert.ok((server.readinessProbe!.failureThreshold ?? 3) >= 2, "one slow answer is not enough");
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  assert.ok(grace * 1000 > config.server.drainDelay + 5000, "the grace period outlasts the drain");
});
