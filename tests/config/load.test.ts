/**
 * Loading a config (src/config/load.ts): what `parseConfig` makes of valid
 * input (every default, the example config, JSON, environment expansion where
 * numbers and booleans are expected, YAML merge keys), and `loadConfig`
 * reading a file through the platform, or failing to (missing, unreadable, a
 * directory, larger than 1 MiB, an endless device). Invalid input is in
 * load_errors.test.ts, random input in load_fuzz.test.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { chmod, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { test } from "node:test";
import { ConfigError } from "../../src/config/error.ts";
import { loadConfig, parseConfig } from "../../src/config/load.ts";
import type { CheckConfigOf, Config } from "../../src/config/resolve.ts";
import { PlatformError } from "../../src/platform/platform_error.ts";
import { assertClearConfigError, ONE_TCP_CHECK } from "../_helpers/config.ts";
import { tempDir } from "../_helpers/files.ts";
import { platform } from "../_helpers/platform.ts";

const FILE = "vitals.yaml";

/** Returns check `index`, asserting its type. */
function checkOf<T extends "command" | "tcp" | "http" | "tabbyapi">(
  config: Config,
  index: number,
  type: T,
): CheckConfigOf<T> {
  const check = config.checks[index];
  assert.ok(check !== undefined, `no check at index ${index}`);
  assert.equal(check.type, type);
  return check as CheckConfigOf<T>;
}

// ---------------------------------------------------------------------------
// Defaults

test("a config with only a checks list gets every top-level default", () => {
  const config = parseConfig(ONE_TCP_CHECK, FILE, {});
  assert.deepEqual(config.server, {
    host: "0.0.0.0",
    port: 8080,
    maxWait: 900,
    drainDelay: 0,
    metrics: true,
  });
  assert.deepEqual(config.cache, { ttl: 30_000, mode: "on-demand" });
  assert.deepEqual(config.pool, { size: 4 });
  assert.deepEqual(config.defaults, {
    timeout: 5_000,
    critical: true,
    groups: ["ready"],
    failureThreshold: 1,
    successThreshold: 1,
  });
});

/** What `defaults` and `cache.ttl` give a check that sets none of them. */
const POLICY = {
  timeout: 5_000,
  critical: true,
  groups: ["ready"],
  interval: 30_000,
  failureThreshold: 1,
  successThreshold: 1,
};

test("a tcp check defaults host to 127.0.0.1 and takes timeout and critical from defaults", () => {
  const config = parseConfig(ONE_TCP_CHECK, FILE, {});
  assert.deepEqual(config.checks, [
    { name: "db", type: "tcp", host: "127.0.0.1", port: 5432, ...POLICY },
  ]);
});

test("an http check defaults method to GET and leaves expectStatus unset (meaning 200-399)", () => {
  const config = parseConfig(
    `checks:
  - name: web
    type: http
    url: http://localhost:3000/ready
`,
    FILE,
    {},
  );
  const check = checkOf(config, 0, "http");
  assert.equal(check.method, "GET");
  assert.equal(check.expectStatus, undefined);
  assert.ok(!("expectStatus" in check), "expectStatus is absent, not set to a default list");
  assert.equal(check.headers, undefined);
  assert.equal(check.bodyContains, undefined);
  assert.equal(check.timeout, 5_000);
  assert.equal(check.critical, true);
});

test("a tabbyapi check defaults path to /health and requireModel to false", () => {
  const config = parseConfig(
    `checks:
  - name: llm
    type: tabbyapi
    url: http://127.0.0.1:5000
`,
    FILE,
    {},
  );
  const check = checkOf(config, 0, "tabbyapi");
  assert.equal(check.path, "/health");
  assert.equal(check.requireModel, false);
  assert.equal(check.apiKey, undefined);
});

test("a command check has no cwd or env unless given, and nagios false", () => {
  const config = parseConfig(
    `checks:
  - name: app
    type: command
    command: [pgrep, -x, myapp]
`,
    FILE,
    {},
  );
  assert.deepEqual(config.checks, [
    {
      name: "app",
      type: "command",
      command: ["pgrep", "-x", "myapp"],
      nagios: false,
      ...POLICY,
    },
  ]);
});

test("per-check timeout and critical fall back to the defaults section", () => {
  const config = parseConfig(
    `defaults:
  timeout: 2s
  critical: false
checks:
  - name: db
    type: tcp
    port: 5432
`,
    FILE,
    {},
  );
  assert.deepEqual(config.defaults, { ...config.defaults, timeout: 2_000, critical: false });
  const check = checkOf(config, 0, "tcp");
  assert.equal(check.timeout, 2_000);
  assert.equal(check.critical, false);
});

test("per-check timeout and critical override the defaults section", () => {
  const config = parseConfig(
    `defaults:
  timeout: 2s
  critical: false
checks:
  - name: fast
    type: tcp
    port: 5432
    timeout: 250ms
    critical: true
  - name: plain
    type: tcp
    port: 6379
`,
    FILE,
    {},
  );
  const fast = checkOf(config, 0, "tcp");
  assert.equal(fast.timeout, 250);
  assert.equal(fast.critical, true);
  const plain = checkOf(config, 1, "tcp");
  assert.equal(plain.timeout, 2_000);
  assert.equal(plain.critical, false);
});

test("durations are written with a unit, or as a bare 0", () => {
  const config = parseConfig(
    `server:
  drainDelay: 0
cache:
  ttl: 1500ms
defaults:
  timeout: 1m
checks:
  - name: db
    type: tcp
    port: 5432
    timeout: 1.5s
`,
    FILE,
    {},
  );
  assert.equal(config.server.drainDelay, 0);
  assert.equal(config.cache.ttl, 1_500);
  assert.equal(config.defaults.timeout, 60_000);
  assert.equal(checkOf(config, 0, "tcp").timeout, 1_500);
});

test("server.port 0 is accepted (pick a free port)", () => {
  const config = parseConfig(`server:\n  port: 0\n${ONE_TCP_CHECK}`, FILE, {});
  assert.equal(config.server.port, 0);
});

// ---------------------------------------------------------------------------
// Accepted inputs

test("JSON input is accepted, since JSON is YAML", () => {
  const json = JSON.stringify({
    server: { port: 9000 },
    checks: [{ name: "db", type: "tcp", port: 5432 }],
  });
  const config = parseConfig(json, "vitals.json", {});
  assert.equal(config.server.port, 9000);
  assert.equal(config.server.host, "0.0.0.0");
  assert.deepEqual(config.checks, [
    { name: "db", type: "tcp", host: "127.0.0.1", port: 5432, ...POLICY },
  ]);
});

const EXAMPLE = `# vitals example config
server:
  host: 0.0.0.0
  port: 8080

cache:
  ttl: 10s

pool:
  size: 8

defaults:
  timeout: 3s
  critical: true

checks:
  - name: worker-process
    type: command
    command: ["pgrep", "-x", "worker"]
    cwd: /srv/app
    env:
      LANG: C
    timeout: 1s

  - name: redis
    type: tcp
    host: redis.internal
    port: 6379
    critical: false

  - name: api
    type: http
    url: http://localhost:3000/ready
    headers:
      X-Probe: vitals
      Authorization: "Bearer \${API_TOKEN:-none}"
    expectStatus: [200, 204]
    bodyContains: ok

  - name: llm
    type: tabbyapi
    url: http://127.0.0.1:5000
    apiKey: "\${TABBY_API_KEY:-}"
    requireModel: true
    timeout: 10s
`;

test("the full example config with all four check kinds parses", () => {
  const config = parseConfig(EXAMPLE, FILE, {});
  assert.deepEqual(config.server, {
    host: "0.0.0.0",
    port: 8080,
    maxWait: 900,
    drainDelay: 0,
    metrics: true,
  });
  assert.equal(config.cache.ttl, 10_000);
  assert.equal(config.pool.size, 8);
  assert.equal(config.defaults.timeout, 3_000);
  assert.equal(config.defaults.critical, true);
  assert.deepEqual(
    config.checks.map((check) => [check.name, check.type]),
    [["worker-process", "command"], ["redis", "tcp"], ["api", "http"], ["llm", "tabbyapi"]],
  );

  const command = checkOf(config, 0, "command");
  assert.deepEqual(command.command, ["pgrep", "-x", "worker"]);
  assert.equal(command.cwd, "/srv/app");
  assert.deepEqual(command.env, { LANG: "C" });
  assert.equal(command.timeout, 1_000);
  assert.equal(command.critical, true);

  const tcp = checkOf(config, 1, "tcp");
  assert.equal(tcp.host, "redis.internal");
  assert.equal(tcp.port, 6379);
  assert.equal(tcp.timeout, 3_000);
  assert.equal(tcp.critical, false);

  const http = checkOf(config, 2, "http");
  assert.equal(http.url, "http://localhost:3000/ready");
  assert.equal(http.method, "GET");
  assert.deepEqual(http.headers, { "X-Probe": "vitals", Authorization: "Bearer none" });
  assert.deepEqual(http.expectStatus, [200, 204]);
  assert.equal(http.bodyContains, "ok");

  const tabby = checkOf(config, 3, "tabbyapi");
  assert.equal(tabby.url, "http://127.0.0.1:5000");
  assert.equal(tabby.path, "/health");
  assert.equal(tabby.apiKey, "", "${TABBY_API_KEY:-} with the variable unset is empty");
  assert.equal(tabby.requireModel, true);
  assert.equal(tabby.timeout, 10_000);
});

test("the example config takes variables from the environment when they are set", () => {
  const config = parseConfig(EXAMPLE, FILE, { TABBY_API_KEY: "sk-123", API_TOKEN: "t0k" });
  assert.equal(checkOf(config, 3, "tabbyapi").apiKey, "sk-123");
  assert.deepEqual(checkOf(config, 2, "http").headers, {
    "X-Probe": "vitals",
    Authorization: "Bearer t0k",
  });
});

test("a single expectStatus code is read as a one-element list", () => {
  const config = parseConfig(
    `checks:
  - name: web
    type: http
    url: https://example.com/
    expectStatus: 204
`,
    FILE,
    {},
  );
  assert.deepEqual(checkOf(config, 0, "http").expectStatus, [204]);
});

test("a numeric string from ${PORT} is accepted where an integer is expected", () => {
  const config = parseConfig(
    `server:
  port: \${SERVER_PORT}
pool:
  size: \${POOL}
checks:
  - name: cache
    type: tcp
    port: \${PORT}
`,
    FILE,
    { PORT: "6379", SERVER_PORT: "9090", POOL: "2" },
  );
  assert.equal(checkOf(config, 0, "tcp").port, 6379);
  assert.equal(config.server.port, 9090);
  assert.equal(config.pool.size, 2);
});

test('"true" and "false" from environment variables are accepted as booleans', () => {
  const config = parseConfig(
    `defaults:
  critical: \${DEFAULT_CRITICAL}
checks:
  - name: db
    type: tcp
    port: 5432
    critical: \${DB_CRITICAL}
  - name: llm
    type: tabbyapi
    url: http://127.0.0.1:5000
    requireModel: \${REQUIRE_MODEL}
`,
    FILE,
    { DEFAULT_CRITICAL: "false", DB_CRITICAL: "true", REQUIRE_MODEL: "true" },
  );
  assert.equal(config.defaults.critical, false);
  assert.equal(checkOf(config, 0, "tcp").critical, true);
  const llm = checkOf(config, 1, "tabbyapi");
  assert.equal(llm.requireModel, true);
  assert.equal(llm.critical, false, "falls back to the expanded defaults.critical");
});

test("check names of letters, digits, dots, underscores and dashes are accepted", () => {
  const config = parseConfig(
    `checks:
  - name: Db_1.primary-x
    type: tcp
    port: 5432
`,
    FILE,
    {},
  );
  assert.equal(config.checks[0]?.name, "Db_1.primary-x");
});

test("YAML merge keys and top-level x- anchors share settings between checks", () => {
  const config = parseConfig(
    "x-local: &local {type: tcp, host: 127.0.0.1, timeout: 1s}\n" +
      "checks:\n  - {<<: *local, name: redis, port: 6379}\n  - {<<: *local, name: pg, port: 5432}\n",
    FILE,
    {},
  );
  assert.deepEqual(config.checks.map((c) => [c.name, c.timeout]), [["redis", 1000], ["pg", 1000]]);
});

// ---------------------------------------------------------------------------
// loadConfig

test("loadConfig reports a missing file as a ConfigError naming the file", async () => {
  const missing = {
    readTextFile: (_path: string): Promise<string> => Promise.reject(new PlatformError("ENOENT")),
    stat: platform.stat,
    env: (): Record<string, string> => ({}),
  };
  await assert.rejects(loadConfig("x.yaml", missing), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, 'Cannot read config "x.yaml": file does not exist');
    assert.equal(error.file, "x.yaml");
    assert.deepEqual(error.problems, [{ message: "file does not exist" }]);
    assert.ok(error.cause instanceof PlatformError, "keeps the platform error as the cause");
    return true;
  });
});

test("loadConfig adds its caller's hint to a missing file's message, and only to that", async () => {
  const dir = await tempDir();
  try {
    const hint = "the default: pass --config FILE or set VITALS_CONFIG";
    await assert.rejects(
      loadConfig(`${dir}/vitals.yaml`, platform, { missingHint: hint }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(
          error.message,
          `Cannot read config "${dir}/vitals.yaml": file does not exist (${hint})`,
        );
        return true;
      },
    );
    // A directory is there: what is wrong is not where to find the file.
    await assert.rejects(loadConfig(dir, platform, { missingHint: hint }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, `Cannot read config "${dir}": is a directory`);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("loadConfig reads the file and expands variables from the platform environment", async () => {
  const read: string[] = [];
  const reading = {
    stat: platform.stat,
    readTextFile: (path: string): Promise<string> => {
      read.push(path);
      return Promise.resolve(`checks:
  - name: db
    type: tcp
    port: \${DB_PORT}
`);
    },
    env: (): Record<string, string> => ({ DB_PORT: "5433" }),
  };
  const config = await loadConfig("x.yaml", reading);
  assert.deepEqual(read, ["x.yaml"]);
  assert.equal(checkOf(config, 0, "tcp").port, 5433);
  assert.equal(config.server.port, 8080);
});

test("loadConfig names the file it read in validation errors", async () => {
  const empty = {
    readTextFile: (_path: string): Promise<string> => Promise.resolve("checks: []\n"),
    stat: platform.stat,
    env: (): Record<string, string> => ({}),
  };
  await assert.rejects(loadConfig("x.yaml", empty), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.file, "x.yaml");
    assert.equal(
      error.message,
      'Invalid config "x.yaml" (1 problem):\n  x.yaml:1:9: checks: expected at least one check',
    );
    return true;
  });
});

/** Why a chmod 000 file cannot show a read error here, or `false` when it can. */
function unreadableSkipReason(): string | false {
  const dir = mkdtempSync(`${tmpdir()}/vitals-perm-`);
  const file = `${dir}/mode-000`;
  try {
    writeFileSync(file, "x");
    chmodSync(file, 0o000);
    readFileSync(file);
    return "this process reads files whatever their mode (root or CAP_DAC_OVERRIDE)";
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test(
  "loadConfig of a file without read permission reports Cannot read config: permission denied",
  { skip: unreadableSkipReason() },
  async () => {
    const dir = await tempDir();
    const file = `${dir}/vitals.yaml`;
    try {
      await writeFile(file, 'checks:\n  - {name: a, type: command, command: ["true"]}\n');
      await chmod(file, 0o000);
      await assert.rejects(loadConfig(file, platform), (error: unknown) => {
        assertClearConfigError(error, file);
        assert.equal((error as Error).message, `Cannot read config "${file}": permission denied`);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test("loadConfig of a directory reports Cannot read config: is a directory", async () => {
  const dir = await tempDir();
  try {
    await assert.rejects(loadConfig(dir, platform), (error: unknown) => {
      assertClearConfigError(error, dir);
      assert.equal((error as Error).message, `Cannot read config "${dir}": is a directory`);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("loadConfig rejects a file over 1 MiB: the file is larger than 1048576 bytes", async () => {
  const dir = await tempDir();
  const file = `${dir}/huge.yaml`;
  try {
    // A valid config padded with a comment to one byte past the cap.
    const config = 'checks:\n  - {name: a, type: command, command: ["true"]}\n';
    await writeFile(file, `${config}#${"x".repeat(1024 * 1024 - config.length)}`);
    await assert.rejects(loadConfig(file, platform), (error: unknown) => {
      assertClearConfigError(error, file);
      assert.equal(
        (error as Error).message,
        `Cannot read config "${file}": the file is larger than 1048576 bytes`,
      );
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("loadConfig reads a file of exactly 1 MiB", async () => {
  const dir = await tempDir();
  const file = `${dir}/big.yaml`;
  try {
    const config = 'checks:\n  - {name: a, type: command, command: ["true"]}\n';
    await writeFile(file, `${config}#${"x".repeat(1024 * 1024 - config.length - 1)}`);
    const loaded = await loadConfig(file, platform);
    assert.equal(loaded.checks.length, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("loadConfig of /dev/zero stops at the cap: the file is larger than 1048576 bytes", async () => {
  await assert.rejects(loadConfig("/dev/zero", platform), (error: unknown) => {
    assertClearConfigError(error, "/dev/zero");
    assert.equal(
      (error as Error).message,
      'Cannot read config "/dev/zero": the file is larger than 1048576 bytes',
    );
    return true;
  });
});
