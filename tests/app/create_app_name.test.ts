/**
 * Where vitals' name comes from (src/app/create_app.ts, `serverName`):
 * `server.name`, else `$POD_NAME`, else `$HOSTNAME`, else the host's name
 * (`Platform.hostname()`, checked against `node:os` on the runtime under
 * test), else `vitals`; empty values count as unset. The environment is
 * injected through the platform's `env()`, as the app reads it, and the name
 * is read back from a real app's `/health/history`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { hostname } from "node:os";
import { test } from "node:test";
import { createApp, serverName } from "../../src/app/create_app.ts";
import { ConfigError } from "../../src/config/error.ts";
import { parseConfig } from "../../src/config/load.ts";
import { silentLogger } from "../../src/log.ts";
import type { Platform } from "../../src/platform/platform.ts";
import { getText } from "../_helpers/http.ts";
import { platform } from "../_helpers/platform.ts";

const CHECKS = 'checks:\n  - {name: ok, type: command, command: ["true"]}\n';

/** The real platform, with the environment and host name a test chooses. */
function platformWith(env: Record<string, string>, host: string): Platform {
  return { ...platform, env: () => ({ ...env }), hostname: () => host };
}

/** The name a real app built over `platform` gives in `/health/history`. */
async function nameServed(yaml: string, over: Platform): Promise<string> {
  const app = createApp(parseConfig(yaml, "t.yaml", {}), { platform: over, log: silentLogger });
  try {
    return JSON.parse((await getText(app, "/health/history")).body).name;
  } finally {
    app.health.close();
  }
}

test("the name is server.name, else POD_NAME, else HOSTNAME, else the host's name, else vitals", async () => {
  const all = { POD_NAME: "pod-a", HOSTNAME: "host-b" };
  const cases: [string, Record<string, string>, string, string][] = [
    ["server:\n  name: configured\n", all, "machine-c", "configured"],
    ["", all, "machine-c", "pod-a"],
    ["", { HOSTNAME: "host-b" }, "machine-c", "host-b"],
    ["", {}, "machine-c", "machine-c"],
    ["", {}, "", "vitals"],
    // Empty counts as unset, at every step.
    ['server:\n  name: ""\n', all, "machine-c", "pod-a"],
    ["", { POD_NAME: "", HOSTNAME: "host-b" }, "machine-c", "host-b"],
    ["", { POD_NAME: "", HOSTNAME: "" }, "machine-c", "machine-c"],
  ];
  for (const [server, env, host, expected] of cases) {
    const over = platformWith(env, host);
    const label = `${JSON.stringify(server)} ${JSON.stringify(env)} ${host}`;
    assert.equal(await nameServed(`${server}${CHECKS}`, over), expected, label);
    assert.equal(
      serverName(parseConfig(`${server}${CHECKS}`, "t.yaml", {}).server.name, over),
      expected,
    );
  }
});

test("server.name may come from ${VAR} and wins over the environment the app sees", async () => {
  const yaml = `server:\n  name: "\${SERVICE}-\${ZONE:-eu}"\n${CHECKS}`;
  const config = parseConfig(yaml, "t.yaml", { SERVICE: "checkout" });
  assert.equal(config.server.name, "checkout-eu");
  const over = platformWith({ POD_NAME: "pod-a" }, "machine-c");
  const app = createApp(config, { platform: over, log: silentLogger });
  try {
    assert.equal(JSON.parse((await getText(app, "/health/history")).body).name, "checkout-eu");
  } finally {
    app.health.close();
  }
});

test("a reload that drops server.name falls back to the environment", async () => {
  const over = platformWith({ HOSTNAME: "host-b" }, "machine-c");
  const app = createApp(parseConfig(`server:\n  name: first\n${CHECKS}`, "t.yaml", {}), {
    platform: over,
    log: silentLogger,
  });
  try {
    const name = async () => JSON.parse((await getText(app, "/health/history")).body).name;
    assert.equal(await name(), "first");
    await app.reload(parseConfig(CHECKS, "t.yaml", {}));
    assert.equal(await name(), "host-b");
  } finally {
    app.health.close();
  }
});

test("server.name must be a string", () => {
  for (const value of ["5", "[a, b]", "{a: 1}"]) {
    assert.throws(
      () => parseConfig(`server:\n  name: ${value}\n${CHECKS}`, "t.yaml", {}),
      (error: unknown) =>
        error instanceof ConfigError &&
        /t\.yaml:2:\d+: server\.name: expected a name for this vitals, such as the pod's/.test(
          error.message,
        ),
      value,
    );
  }
});

test("the platform's hostname() is the host's name, as node:os reads it", () => {
  const name = platform.hostname();
  assert.ok(name.length > 0, "the tests run with every permission, so the name is readable");
  assert.equal(name, hostname());
});
