/**
 * The published JSON Schema (src/config/_json_schema.ts) read by a strict
 * validator: ajv in strict mode (draft 2020-12, with the standard formats of
 * ajv-formats) compiles it without a warning, accepts every config this
 * repository shows (README, docs/, config.example.yaml, deploy/) as the loader does,
 * `${VAR}` included, and rejects the bad configs the loader rejects, naming the
 * key of the kind of check that `type` picks.
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { parse } from "yaml";
import { ConfigError } from "../src/config/error.ts";
import { parseConfig } from "../src/config/load.ts";
import { configJsonSchema } from "../src/config/schema.ts";
import { ROOT } from "./_helpers/files.ts";

/** The variables that the configs in this repository reference without a default. */
const ENV: Readonly<Record<string, string>> = {
  PORT: "8080",
  VITALS_PORT: "8080",
  REDIS_HOST: "127.0.0.1",
  REDIS_PORT: "6379",
  DB_HOST: "127.0.0.1",
  DB_PORT: "5432",
  APP_URL: "http://127.0.0.1:3000/ready",
  TABBY_API_KEY: "key",
  VITALS_DETAILS_TOKEN: "token",
  VITALS_METRICS_TOKEN: "token",
  HOSTNAME: "pod-1",
};

/** `schema` compiled by a strict ajv, and the warnings ajv logged meanwhile. */
function compile(schema: Record<string, unknown>) {
  const warnings: string[] = [];
  const note = (...args: unknown[]) => warnings.push(args.map(String).join(" "));
  const ajv = new Ajv2020({
    strict: true,
    allErrors: true,
    logger: { log: note, warn: note, error: note },
  });
  // CommonJS: typed as a namespace, the default import is the plugin itself at run time,
  // which also has itself as `default` (on Deno and on Bun).
  formats.default(ajv);
  return { validate: ajv.compile(schema), warnings };
}

let strict: ValidateFunction | undefined;

/** ajv's errors for config text as an editor sees it: YAML with merge keys, not expanded. */
function ajvErrors(text: string): ErrorObject[] {
  strict ??= compile(configJsonSchema()).validate;
  return strict(parse(text, { merge: true })) ? [] : (strict.errors ?? []);
}

/** The loader's problems with config text (none when it loads). */
function loaderProblems(text: string, env = ENV): string[] {
  try {
    parseConfig(text, "t.yaml", env);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems.map((problem) => `${problem.path ?? ""}: ${problem.message}`);
  }
}

// ---------------------------------------------------------------------------
// The configs this repository shows

interface Shown {
  readonly where: string;
  readonly text: string;
}

/**
 * The vitals configs in YAML text holding one or more documents: each document
 * with a `checks` key, and each `vitals*.yaml` entry of a ConfigMap's data.
 */
function configsIn(text: string, where: string): Shown[] {
  return text.split(/^---[ \t]*$/m).flatMap((document, index) => {
    let value: Record<string, unknown> | null;
    try {
      value = parse(document, { merge: true });
    } catch (error) {
      // Not YAML (a template, say): a failure only where a config should be.
      if (/^checks:/m.test(document)) throw new Error(`${where}: ${String(error)}`);
      return [];
    }
    if (value === null || typeof value !== "object") return [];
    const here = `${where}, document ${index + 1}`;
    if ("checks" in value) return [{ where: here, text: document }];
    const data = value.kind === "ConfigMap" ? value.data as Record<string, unknown> : undefined;
    return Object.entries(data ?? {})
      .filter(([key, entry]) => /^vitals.*\.ya?ml$/.test(key) && typeof entry === "string")
      .map(([key, entry]) => ({ where: `${here}, ConfigMap data ${key}`, text: entry as string }));
  });
}

/** README.md and every Markdown file under docs/, relative to the root. */
function docFiles(): string[] {
  const under = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return under(path);
      return entry.name.endsWith(".md") ? [path] : [];
    });
  return ["README.md", ...under("docs")];
}

/** The configs in one Markdown file's ```yaml blocks (indented ones too); fragments have none. */
function markdownConfigs(file: string): Shown[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```$/gm)].flatMap((match) => {
    const indent = match[1]!.length;
    const block = match[2]!.split("\n").map((line) => line.slice(indent)).join("\n");
    const line = text.slice(0, match.index).split("\n").length;
    return configsIn(block, `${file}:${line}`);
  });
}

/** Every .yaml or .yml file under `dir`, if it exists. */
function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

function shownConfigs(): Shown[] {
  const files = [
    "config.example.yaml",
    ...yamlFiles(join(ROOT, "deploy")).map((p) => relative(ROOT, p)),
  ];
  return [
    ...docFiles().flatMap(markdownConfigs),
    ...files.flatMap((file) => configsIn(readFileSync(join(ROOT, file), "utf8"), file)),
  ];
}

// ---------------------------------------------------------------------------
// Tests

test("ajv in strict mode compiles the schema (draft 2020-12) without an error or a warning", () => {
  const committed = JSON.parse(readFileSync(join(ROOT, "vitals.schema.json"), "utf8"));
  for (const schema of [configJsonSchema(), committed]) {
    assert.deepEqual(compile(schema).warnings, []);
  }
  const schema = configJsonSchema();
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.equal(schema.$id, "urn:vitals:config-schema");
  assert.equal(schema.title, "vitals config");
  assert.equal(typeof schema.description, "string");
  assert.ok(!JSON.stringify(schema).includes("starts_with"), "no format of zod's own");
});

test("every config in the README, docs/, config.example.yaml and deploy/ is valid for ajv and the loader", () => {
  const readme = markdownConfigs("README.md");
  assert.ok(readme.length >= 1, `found only ${readme.length} configs in the README`);
  const configuration = markdownConfigs("docs/configuration.md");
  assert.ok(
    configuration.length >= 5,
    `found only ${configuration.length} configs in docs/configuration.md`,
  );
  for (const { where, text } of shownConfigs()) {
    assert.deepEqual(ajvErrors(text), [], `ajv rejects ${where}`);
    assert.deepEqual(loaderProblems(text), [], `the loader rejects ${where}`);
  }
});

test("a config with ${VAR} in every kind of value is valid for ajv and the loader", () => {
  const text = `
server: { port: "\${PORT}", maxWait: "\${WAIT:-900}ms", metrics: "\${METRICS:-true}" }
cache: { ttl: "\${TTL:-30s}", mode: "\${MODE:-on-demand}" }
pool: { size: "\${POOL:-4}" }
defaults: { critical: "\${CRITICAL:-true}", groups: "\${GROUP:-ready}", failureThreshold: "\${F:-2}" }
checks:
  - name: redis
    type: tcp
    host: "\${REDIS_HOST}"
    port: \${REDIS_PORT}
    groups: ["\${G:-live}"]
  - name: "app-\${HOSTNAME}"
    type: http
    url: "\${APP_URL}"
    method: "\${METHOD:-GET}"
    expectStatus: "\${STATUS:-200}"
    timeout: "\${TIMEOUT:-2}s"
    interval: \${INTERVAL:-10s}
  - { name: local, type: http, url: "http://\${APP_HOST:-127.0.0.1}:\${APP_PORT:-3000}/ready" }
  - { name: llm, type: tabbyapi, url: "http://127.0.0.1:5000", path: "\${TABBY_PATH:-/health}" }
  - { name: beat, type: file, path: /tmp/beat, maxAge: "\${MAX_AGE:-1m}", minSize: "\${MIN:-1}" }
`;
  assert.deepEqual(ajvErrors(text), []);
  assert.deepEqual(loaderProblems(text), []);
});

test("a port written as a reference is accepted by ajv exactly when the loader reads one reference", () => {
  const env = { A: "7", B: "8" };
  const cases: [string, boolean][] = [
    ["${A}", true],
    ["${A:-}", true],
    ["${C:-5}", true],
    ["${A:-a$b}", true],
    ["${A:-${B}}", false],
    ["${A:?}", false],
    ["${ A }", false],
    ["${1A}", false],
    ["$${A}", false],
    ["${A}x", false],
    ["$A", false],
  ];
  for (const [port, valid] of cases) {
    const text = `checks: [{ name: db, type: tcp, port: ${JSON.stringify(port)} }]`;
    assert.equal(ajvErrors(text).length === 0, valid, `ajv, port ${port}`);
    assert.equal(loaderProblems(text, env).length === 0, valid, `loader, port ${port}`);
  }
});

test("a bare 0 is a duration for ajv and the loader alike, where 0 is in bounds", () => {
  const text = "server: { drainDelay: 0 }\ncache: { ttl: 0 }\n" +
    "checks: [{ name: db, type: tcp, port: 1, tls: true, certificate: { downBefore: 0 } }]";
  assert.deepEqual(ajvErrors(text), []);
  assert.deepEqual(loaderProblems(text), []);
});

test("a duration written as text is accepted by ajv exactly when the loader reads it", () => {
  const cases: [string, boolean][] = [
    ["250ms", true],
    ["1.5m", true],
    ["1m30s", true],
    ["1h2m3s", true],
    ["2h45m30.5s", true],
    ["1h 30m", true],
    ["30s1m", true],
    ["1m30", false],
    ["m", false],
    ["-1s", false],
    ["1x", false],
    ["5", false],
    [".5s", false],
    ["1e3ms", false],
    ["1s500us", false],
  ];
  for (const [timeout, valid] of cases) {
    const quoted = JSON.stringify(timeout);
    const text = `checks: [{ name: db, type: tcp, port: 5432, timeout: ${quoted} }]`;
    assert.equal(ajvErrors(text).length === 0, valid, `ajv, timeout ${timeout}`);
    assert.equal(loaderProblems(text).length === 0, valid, `loader, timeout ${timeout}`);
  }
});

/** Bad configs: each rejected by the loader and by ajv. */
const BAD: Readonly<Record<string, string>> = {
  "an unknown top-level key": "checks: [{ name: db, type: tcp, port: 5432 }]\nlogging: {}",
  "an unknown key in a check": "checks: [{ name: db, type: tcp, port: 5432, prot: 1 }]",
  "a number of the wrong type":
    "pool: { size: many }\nchecks: [{ name: db, type: tcp, port: 5432 }]",
  "a port out of range": "checks: [{ name: db, type: tcp, port: 70000 }]",
  "a tcp check without a port": "checks: [{ name: db, type: tcp }]",
  "a bad duration": "checks: [{ name: db, type: tcp, port: 5432, timeout: 5 seconds }]",
  "a duration written as a bare number":
    "checks: [{ name: db, type: tcp, port: 5432, timeout: 5 }]",
  "a duration of 0 where it must be above 0":
    "checks: [{ name: db, type: tcp, port: 5432, interval: 0 }]",
  "a bare number where 0 is allowed":
    "server: { drainDelay: 10 }\nchecks: [{ name: db, type: tcp, port: 5432 }]",
  "a bad group": "checks: [{ name: db, type: tcp, port: 5432, groups: [alive] }]",
  "an unknown check type": "checks: [{ name: db, type: ping, host: db }]",
  "a check without a type": "checks: [{ name: db, port: 5432 }]",
  "a URL that is not http": "checks: [{ name: web, type: http, url: ftp://127.0.0.1/ }]",
  "a method other than GET, HEAD or POST":
    "checks: [{ name: web, type: http, url: http://a/, method: PUT }]",
  "an expectStatus item that is neither a code nor a range":
    'checks: [{ name: web, type: http, url: http://a/, expectStatus: [200, "2-299"] }]',
  "an expectStatus code out of range":
    "checks: [{ name: web, type: http, url: http://a/, expectStatus: [200, 700] }]",
  "an expectStatus class out of range":
    'checks: [{ name: web, type: http, url: http://a/, expectStatus: "6xx" }]',
  "a bodyMatches that is not a regular expression":
    'checks: [{ name: web, type: http, url: http://a/, bodyMatches: "(ok" }]',
  "a json path that does not start with $":
    "checks: [{ name: web, type: http, url: http://a/, json: [{ path: status, equals: ok }] }]",
  "a json path with an empty key":
    "checks: [{ name: web, type: http, url: http://a/, json: [{ path: $.a..b, exists: true }] }]",
  "a json path with an unquoted key in brackets":
    "checks: [{ name: web, type: http, url: http://a/, json: [{ path: '$[a]', exists: true }] }]",
  "a json condition without an operator":
    "checks: [{ name: web, type: http, url: http://a/, json: [{ path: $.status }] }]",
  "a json condition with two operators":
    "checks: [{ name: web, type: http, url: http://a/, json: [{ path: $.n, lessThan: 9, equals: 1 }] }]",
  "a json condition with an unknown operator":
    "checks: [{ name: web, type: http, url: http://a/, json: [{ path: $.s, contains: ok }] }]",
  "a json equals that is a list":
    "checks: [{ name: web, type: http, url: http://a/, json: [{ path: $.s, equals: [1] }] }]",
  "a json lessThan that is not a number":
    "checks: [{ name: web, type: http, url: http://a/, json: [{ path: $.n, lessThan: many }] }]",
  "an empty json list": "checks: [{ name: web, type: http, url: http://a/, json: [] }]",
  "a warnAfter that is not a duration":
    "checks: [{ name: web, type: http, url: http://a/, warnAfter: soon }]",
  "a command given as a string": "checks: [{ name: app, type: command, command: pgrep myapp }]",
  "a tabbyapi path without a slash":
    "checks: [{ name: llm, type: tabbyapi, url: http://a, path: health }]",
  "a check name with a space": "checks: [{ name: my db, type: tcp, port: 5432 }]",
  "an unsupported reference form": 'checks: [{ name: db, type: tcp, port: "${REDIS_PORT:?}" }]',
  "an empty checks list": "checks: []",
  "no checks at all": "server: { port: 8080 }",
};

for (const [what, text] of Object.entries(BAD)) {
  test(`ajv and the loader both reject ${what}`, () => {
    assert.notDeepEqual(ajvErrors(text), [], "ajv accepts it");
    assert.notDeepEqual(loaderProblems(text), [], "the loader accepts it");
  });
}

test("ajv reports a tcp check without a port as missing port, not as another kind's key", () => {
  const errors = ajvErrors(BAD["a tcp check without a port"]!);
  const missing = errors.filter((error) => error.keyword === "required");
  assert.deepEqual(
    missing.map((error) => [error.instancePath, error.params.missingProperty, error.message]),
    [["/checks/0", "port", "must have required property 'port'"]],
  );
  assert.ok(!JSON.stringify(errors).includes("command"), JSON.stringify(errors));
  assert.match(loaderProblems(BAD["a tcp check without a port"]!).join("\n"), /checks\[0\]\.port/);
});

test("ajv reports an unknown check type at type, with the known types", () => {
  const errors = ajvErrors(BAD["an unknown check type"]!);
  assert.deepEqual(errors.map((error) => [error.instancePath, error.keyword]), [
    ["/checks/0/type", "enum"],
  ]);
  assert.deepEqual(errors[0]?.params.allowedValues, [
    "command",
    "tcp",
    "http",
    "tabbyapi",
    "file",
    "grpc",
    "llm",
  ]);
});
