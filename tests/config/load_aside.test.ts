/**
 * Loading a config for `serve` and reloads (src/config/load_aside.ts): on Bun
 * in a worker that is then terminated, on Deno in place. Either way the
 * config, and every error with its file, lines and keys, are exactly what
 * loading in place gives.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../src/config/error.ts";
import { loadConfigAside } from "../../src/config/load_aside.ts";
import { loadConfigFile } from "../../src/config/load.ts";
import type { Platform } from "../../src/platform/mod.ts";
import { platform } from "../_helpers/platform.ts";

/** The real platform with a fixed environment, so `${VAR}` has something to expand. */
function withEnv(env: Record<string, string>): Platform {
  return { ...platform, env: () => env };
}

/** Runs `load`, expecting a ConfigError, and returns it. */
async function rejection(load: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await load();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  return assert.fail("expected a ConfigError");
}

async function withFile<T>(text: string, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "vitals-aside-"));
  const file = join(dir, "vitals.yaml");
  try {
    await writeFile(file, text);
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const CONFIG = `
server: { port: 9000 }
checks:
  - name: db
    type: tcp
    port: \${DB_PORT}
  - name: web
    type: http
    url: http://127.0.0.1:\${WEB_PORT:-3000}/ready
    bodyMatches: "^ok$"
    expectStatus: ["2xx"]
`;

test("serve's loader gives exactly the config loading in place gives, variables expanded", async () => {
  const env = withEnv({ DB_PORT: "5432" });
  await withFile(CONFIG, async (file) => {
    const aside = await loadConfigAside(file, env);
    const inPlace = await loadConfigFile(file, env);
    assert.deepEqual(aside, inPlace);
    assert.equal(aside.config.checks[0]?.type === "tcp" && aside.config.checks[0].port, 5432);
    assert.equal(aside.text, CONFIG);
    // Text the caller has just read is parsed as given, not read again.
    const given = await loadConfigAside(file, env, CONFIG.replace("9000", "9001"));
    assert.equal(given.config.server.port, 9001);
  });
});

test("a config error from serve's loader keeps its file, lines, keys and message", async () => {
  const broken = "checks:\n  - name: db\n    type: tcp\n    prot: 5432\nfoo: 1\n";
  await withFile(broken, async (file) => {
    const aside = await rejection(() => loadConfigAside(file, platform));
    const inPlace = await rejection(() => loadConfigFile(file, platform));
    assert.equal(aside.message, inPlace.message);
    assert.equal(aside.file, file);
    assert.deepEqual(aside.problems, inPlace.problems);
    assert.ok(aside.problems.some((p) => p.path === "foo" && p.line === 5), aside.message);
  });
});

test("a missing variable and a missing file are reported by serve's loader as in place", async () => {
  await withFile(CONFIG, async (file) => {
    const aside = await rejection(() => loadConfigAside(file, withEnv({})));
    assert.match(aside.message, /environment variable "DB_PORT" is not set/);
    assert.equal(aside.message, (await rejection(() => loadConfigFile(file, withEnv({})))).message);
  });
  const missing = "/nonexistent/vitals-aside.yaml";
  const aside = await rejection(() => loadConfigAside(missing, platform));
  assert.equal(aside.message, `Cannot read config "${missing}": file does not exist`);
  assert.deepEqual(
    aside.problems,
    (await rejection(() => loadConfigFile(missing, platform))).problems,
  );
});

test("serve's loader rejects a command's cwd that does not exist, as loading in place does", async () => {
  const text = 'checks:\n  - {name: a, type: command, command: ["true"], cwd: /nonexistent-dir}\n';
  await withFile(text, async (file) => {
    const aside = await rejection(() => loadConfigAside(file, platform));
    assert.deepEqual(aside.problems, [{
      path: "checks[0].cwd",
      line: 2,
      column: 54,
      message: 'directory "/nonexistent-dir" does not exist',
    }]);
    assert.equal(aside.message, (await rejection(() => loadConfigFile(file, platform))).message);
  });
});

test("serve's loader names the way to pass a config when the default one is missing", async () => {
  const missing = "/nonexistent/vitals.yaml";
  const hint = "the default: pass --config FILE or set VITALS_CONFIG";
  const aside = await rejection(() => loadConfigAside(missing, platform, undefined, hint));
  assert.equal(aside.message, `Cannot read config "${missing}": file does not exist (${hint})`);
});

test("a YAML syntax error from serve's loader keeps its excerpt", async () => {
  await withFile("checks:\n  - name: db\n\ttype: tcp\n", async (file) => {
    const aside = await rejection(() => loadConfigAside(file, platform));
    assert.ok(aside.message.endsWith("\n    3 | \\ttype: tcp\n      | ^"), aside.message);
    assert.equal(aside.message, (await rejection(() => loadConfigFile(file, platform))).message);
  });
});

test("loads in a row each end their worker: the process's thread count comes back", {
  timeout: 30_000,
}, async () => {
  const threads = async () => {
    try {
      const { readdir } = await import("node:fs/promises");
      return (await readdir("/proc/self/task")).length;
    } catch {
      return undefined; // not Linux
    }
  };
  await withFile(CONFIG, async (file) => {
    const env = withEnv({ DB_PORT: "1" });
    await loadConfigAside(file, env);
    const before = await threads();
    for (let i = 0; i < 3; i++) await loadConfigAside(file, env);
    // A terminated worker's thread may take a moment to be joined.
    let after = await threads();
    for (
      let wait = 0;
      wait < 50 && after !== undefined && before !== undefined && after > before;
      wait++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await threads();
    }
    if (before !== undefined && after !== undefined) {
      assert.ok(after <= before + 1, `${before} → ${after}`);
    }
  });
});
