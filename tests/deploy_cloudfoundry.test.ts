// The Cloud Foundry recipe in deploy/cloudfoundry/: the manifest's health
// checks ask for endpoints vitals serves, in the way Diego's `healthcheck`
// program needs (HTTP, exactly 200 on UP); the sidecar's command is one
// `vitals serve` accepts; the config it names loads; and the liveness checks
// carry their own failureThreshold, because Diego restarts an instance on its
// first failed liveness check. The config's ${VAR}s are all set in the
// manifest's `env:` (sidecars get the app's environment), so the recipe
// starts as pushed. The platform versions readiness needs are stated where
// users read them.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parse } from "yaml";
import { parseFlags } from "../src/cli/flags.ts";
import { ConfigError } from "../src/config/error.ts";
import { parseConfig } from "../src/config/load.ts";
import { ROUTE_LIST } from "../src/http/_route.ts";
import { ROOT } from "./_helpers/files.ts";

const DIR = `${ROOT}deploy/cloudfoundry`;
const MANIFEST = `${DIR}/manifest.yml`;

interface Sidecar {
  name?: string;
  process_types?: string[];
  command?: string;
  memory?: string;
}

interface Application {
  name?: string;
  "health-check-type"?: string;
  "health-check-http-endpoint"?: string;
  "readiness-health-check-type"?: string;
  "readiness-health-check-http-endpoint"?: string;
  env?: Record<string, string | number>;
  sidecars?: Sidecar[];
}

const manifestText = readFileSync(MANIFEST, "utf8");
const manifest = parse(manifestText) as { applications?: Application[] };
const application = manifest.applications?.[0];

/** The sidecar's command split into words, with `$PORT` as Diego sets it. */
function vitalsArgs(): string[] {
  const sidecar = application?.sidecars?.find((item) => item.name === "vitals");
  assert.ok(sidecar?.command, "the manifest has no vitals sidecar with a command");
  assert.deepEqual(sidecar.process_types, ["web"]);
  const [program, ...args] = sidecar.command.replaceAll("$PORT", "8080").split(/\s+/);
  assert.equal(program, "./vitals");
  return args;
}

test("the Cloud Foundry manifest's liveness and readiness checks ask for endpoints vitals serves", () => {
  assert.ok(application, "the manifest has no application");
  assert.equal(application["health-check-type"], "http");
  assert.equal(application["readiness-health-check-type"], "http");
  for (
    const key of ["health-check-http-endpoint", "readiness-health-check-http-endpoint"] as const
  ) {
    const endpoint = application[key];
    assert.ok(endpoint && ROUTE_LIST.includes(endpoint), `${key} ${endpoint} is not served`);
    // Diego accepts only 200, and vitals' /simple bodies are the smallest.
    assert.match(endpoint, /\/simple$/);
  }
  assert.equal(application["health-check-http-endpoint"], "/health/live/simple");
  assert.equal(application["readiness-health-check-http-endpoint"], "/health/ready/simple");
});

test("the Cloud Foundry sidecar's command is a vitals serve on $PORT that the CLI accepts", () => {
  const args = vitalsArgs();
  assert.equal(args[0], "serve");
  const flags = parseFlags("serve", args.slice(1));
  assert.equal(flags["port"], "8080");
  assert.equal(flags["config"], "vitals.yaml");
  // Diego probes the container IP, so vitals must not listen on loopback only.
  assert.equal(flags["host"], undefined);
});

/** The manifest's `env:`, as Diego sets it for the app and its sidecars (strings). */
function manifestEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(application?.env ?? {}).map(([key, value]) => [key, String(value)]),
  );
}

const CONFIG_TEXT = readFileSync(`${DIR}/vitals.yaml`, "utf8");

test("the manifest's env sets every ${VAR} the sidecar's config reads, so the recipe starts as pushed", () => {
  const read = [...CONFIG_TEXT.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)]
    .filter((match) => !match[0].includes(":-"))
    .map((match) => match[1]);
  assert.ok(read.length > 0, "the config reads a variable");
  assert.deepEqual(Object.keys(manifestEnv()).sort(), [...new Set(read)].sort());
  assert.doesNotThrow(() => parseConfig(CONFIG_TEXT, "vitals.yaml", manifestEnv()));
  // Without the manifest's env the same config does not load: the check above can fail.
  assert.throws(
    () => parseConfig(CONFIG_TEXT, "vitals.yaml", {}),
    (error) => error instanceof ConfigError && /DB_HOST/.test(error.message),
  );
});

test("the Cloud Foundry config loads, and liveness checks damp a single failure themselves", () => {
  const config = parseConfig(CONFIG_TEXT, `${DIR}/vitals.yaml`, manifestEnv());
  const live = config.checks.filter((check) => check.groups.includes("live"));
  const ready = config.checks.filter((check) => check.groups.includes("ready"));
  assert.ok(live.length > 0 && ready.length > 0, "both groups have checks");
  for (const check of live) {
    assert.ok(check.failureThreshold >= 2, `${check.name} would restart on one failure`);
  }
});

test("the platform versions that readiness checks need are stated in the manifest and on its docs page", () => {
  const page = "docs/deploy/cloudfoundry.md";
  const text = readFileSync(`${ROOT}${page}`, "utf8");
  for (
    const version of ["capi-release 1.158.0", "diego-release 2.81.0", "garden-runc-release 1.37.0"]
  ) {
    assert.ok(manifestText.includes(version), `manifest.yml does not state ${version}`);
    assert.ok(text.includes(version), `${page} does not state ${version}`);
  }
  assert.match(text, /sidecars get no health checks of their own/i);
});
