/**
 * Tests for the config loader: defaults, the example config, JSON input, every
 * kind of invalid input (each reported as a {@link ConfigError} with key path
 * and line), environment expansion where numbers and booleans are expected,
 * `loadConfig` with a fake platform, and the generated JSON Schema.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig, parseConfig } from "../src/config/load.ts";
import { ConfigError, type ConfigProblem } from "../src/config/error.ts";
import { configJsonSchema } from "../src/config/schema.ts";
import type { CheckConfigOf, Config } from "../src/config/resolve.ts";
import { PlatformError } from "../src/platform/platform_error.ts";

const FILE = "vitals.yaml";

/** A minimal valid config: one tcp check. */
const ONE_TCP_CHECK = `checks:
  - name: db
    type: tcp
    port: 5432
`;

/** Parses `text`, expecting it to fail, and returns the ConfigError. */
function invalid(text: string, env: Record<string, string> = {}): ConfigError {
  try {
    parseConfig(text, FILE, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.file, FILE);
    assert.ok(error.problems.length > 0, "a ConfigError lists at least one problem");
    return error;
  }
  return assert.fail("expected parseConfig to throw a ConfigError");
}

/** Expects exactly one problem and returns it. */
function onlyProblem(error: ConfigError): ConfigProblem {
  assert.equal(error.problems.length, 1, `expected one problem, got:\n${error.message}`);
  const [problem] = error.problems;
  assert.ok(problem !== undefined);
  return problem;
}

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

test("a command check has no cwd or env unless given", () => {
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

test("durations may be written as whole milliseconds or with a unit", () => {
  const config = parseConfig(
    `cache:
  ttl: 1500
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
  assert.equal(config.cache.ttl, 1_500);
  assert.equal(config.defaults.timeout, 60_000);
  assert.equal(checkOf(config, 0, "tcp").timeout, 1_500);
});

test("a cache ttl of 0 is allowed (no caching) but a timeout of 0 is not", () => {
  const config = parseConfig(`cache:\n  ttl: 0\n${ONE_TCP_CHECK}`, FILE, {});
  assert.equal(config.cache.ttl, 0);

  const problem = onlyProblem(invalid(`defaults:\n  timeout: 0\n${ONE_TCP_CHECK}`));
  assert.equal(problem.path, "defaults.timeout");
  assert.equal(problem.line, 2);
  assert.match(problem.message, /above 0 and at most 24 days, got 0$/);
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

test("a boolean variable other than true or false is rejected with the value it got", () => {
  const problem = onlyProblem(invalid(`${ONE_TCP_CHECK}    critical: \${CRIT}\n`, { CRIT: "yes" }));
  assert.equal(problem.path, "checks[0].critical");
  assert.equal(problem.line, 5);
  assert.equal(problem.message, 'expected true or false, got "yes"');
});

// ---------------------------------------------------------------------------
// Invalid inputs

test("a YAML syntax error is reported with its line and column", () => {
  const error = invalid(`checks:
  - name: db
    type: tcp
   port: 5432
`);
  const [problem] = error.problems;
  assert.ok(problem !== undefined);
  assert.equal(problem.path, undefined, "syntax errors have no key path");
  assert.equal(problem.line, 4);
  assert.equal(typeof problem.column, "number");
  assert.ok(problem.message.startsWith("YAML syntax error: "), problem.message);
  assert.doesNotMatch(problem.message, / at line \d+/, "the position is not repeated in the text");
  assert.ok(error.message.startsWith(`Invalid config "${FILE}" (`), error.message);
  assert.ok(error.message.includes(`\n  ${FILE}:4:${problem.column}: YAML syntax error: `));
});

test("a key given twice in one mapping is a YAML error", () => {
  const problem = onlyProblem(invalid(`checks:
  - name: db
    name: db2
    type: tcp
    port: 5432
`));
  assert.equal(problem.line, 3);
  assert.match(problem.message, /^YAML syntax error: .*unique/);
});

test("a non-integer port is reported with its key path, line and the value it got", () => {
  const error = invalid(`checks:
  - name: db
    type: tcp
    port: abc
`);
  const problem = onlyProblem(error);
  assert.equal(problem.path, "checks[0].port");
  assert.equal(problem.line, 4);
  assert.equal(problem.column, 11);
  assert.ok(problem.message.includes('expected an integer from 1 to 65535, got "abc"'));
  assert.equal(
    error.message,
    `Invalid config "vitals.yaml" (1 problem):\n` +
      `  vitals.yaml:4:11: checks[0].port: expected an integer from 1 to 65535, got "abc"`,
  );
});

test("a port out of range is rejected", () => {
  const problem = onlyProblem(invalid(`checks:
  - name: db
    type: tcp
    port: 70000
`));
  assert.equal(problem.path, "checks[0].port");
  assert.equal(problem.line, 4);
  assert.equal(problem.message, "expected an integer from 1 to 65535, got 70000");
});

test("an unknown top-level key is reported at the key itself", () => {
  const problem = onlyProblem(invalid(`servr:
  port: 9000
${ONE_TCP_CHECK}`));
  assert.equal(problem.path, "servr");
  assert.equal(problem.line, 1);
  assert.equal(problem.column, 1);
  assert.ok(problem.message.includes('unknown key "servr"'), problem.message);
});

test("an unknown key inside a check is reported at the key itself", () => {
  const error = invalid(`checks:
  - name: db
    type: tcp
    port: 5432
    hots: db.internal
`);
  const problem = onlyProblem(error);
  assert.equal(problem.path, "checks[0].hots");
  assert.equal(problem.line, 5);
  assert.equal(problem.column, 5);
  assert.ok(problem.message.includes('unknown key "hots"'), problem.message);
  assert.ok(error.message.includes("vitals.yaml:5:5: checks[0].hots: unknown key"), error.message);
});

test("a duplicate check name is reported even when another check is also invalid", () => {
  const error = invalid(`checks:
  - name: db
    type: tcp
    port: 5432
  - name: db
    type: tcp
    port: 70000
`);
  assert.equal(error.problems.length, 2);
  const [duplicate, port] = error.problems;
  assert.equal(duplicate?.path, "checks[1].name");
  assert.equal(duplicate?.line, 5);
  assert.ok(duplicate?.message.includes('duplicate check name "db"'), duplicate?.message);
  assert.ok(duplicate?.message.includes("checks[0]"), "names the first check using the name");
  assert.equal(port?.path, "checks[1].port");
  assert.equal(port?.line, 7);
  assert.ok(error.message.startsWith('Invalid config "vitals.yaml" (2 problems):'));
});

test("an unset ${VAR} is reported with its key path and line", () => {
  const error = invalid(`checks:
  - name: db
    type: tcp
    host: \${NOPE}
    port: 5432
`);
  const problem = onlyProblem(error);
  assert.equal(problem.path, "checks[0].host");
  assert.equal(problem.line, 4);
  assert.ok(problem.message.includes('environment variable "NOPE" is not set'), problem.message);
  assert.ok(problem.message.includes("${NOPE:-default}"), "suggests the fallback syntax");
  assert.ok(error.message.includes("NOPE"));
});

test("a value emptied by an unset variable is reported once, not again as invalid", () => {
  const problem = onlyProblem(invalid(`checks:
  - name: db
    type: tcp
    port: \${NOPE}
`));
  assert.equal(problem.path, "checks[0].port");
  assert.ok(problem.message.includes('"NOPE"'), problem.message);
  assert.ok(!problem.message.includes("integer"), problem.message);
});

test("a bad duration is rejected with a hint and the value it got", () => {
  const problem = onlyProblem(invalid(`cache:
  ttl: 5x
${ONE_TCP_CHECK}`));
  assert.equal(problem.path, "cache.ttl");
  assert.equal(problem.line, 2);
  assert.ok(problem.message.includes("expected a duration such as 250ms"), problem.message);
  assert.ok(problem.message.endsWith('got "5x"'), problem.message);
});

test("a fractional number of milliseconds is not a duration", () => {
  const problem = onlyProblem(invalid(`cache:\n  ttl: 1.5\n${ONE_TCP_CHECK}`));
  assert.equal(problem.path, "cache.ttl");
  assert.ok(problem.message.endsWith("got 1.5"), problem.message);
});

test("an unknown check type lists the known types", () => {
  const problem = onlyProblem(invalid(`checks:
  - name: db
    type: ftp
    port: 21
`));
  assert.equal(problem.path, "checks[0].type");
  assert.equal(problem.line, 3);
  assert.equal(
    problem.message,
    'expected one of "command", "tcp", "http", "tabbyapi", got "ftp"',
  );
});

test("a missing required key is reported at the check that lacks it", () => {
  const problem = onlyProblem(invalid(`checks:
  - name: db
    type: tcp
`));
  assert.equal(problem.path, "checks[0].port");
  assert.equal(problem.line, 2, "points at the start of the check");
  assert.equal(problem.message, "required key is missing");
});

test("a config without a checks key says the key is missing", () => {
  const problem = onlyProblem(invalid("server:\n  port: 9000\n"));
  assert.equal(problem.path, "checks");
  assert.equal(problem.message, "required key is missing");
});

test("HEAD with bodyContains is rejected because a HEAD response has no body", () => {
  const problem = onlyProblem(invalid(`checks:
  - name: web
    type: http
    url: http://localhost/
    method: HEAD
    bodyContains: ok
`));
  assert.equal(problem.path, "checks[0].bodyContains");
  assert.equal(problem.line, 6);
  assert.ok(problem.message.includes("HEAD"), problem.message);
  assert.ok(problem.message.includes("bodyContains"), problem.message);
});

test("a method other than GET or HEAD is rejected", () => {
  const problem = onlyProblem(invalid(`checks:
  - name: web
    type: http
    url: http://localhost/
    method: POST
`));
  assert.equal(problem.path, "checks[0].method");
  assert.equal(problem.message, 'expected one of "GET", "HEAD", got "POST"');
});

test("a non-http URL is rejected", () => {
  const problem = onlyProblem(invalid(`checks:
  - name: web
    type: http
    url: ftp://example.com/
`));
  assert.equal(problem.path, "checks[0].url");
  assert.equal(problem.line, 4);
  assert.equal(problem.message, 'expected an http:// or https:// URL, got "ftp://example.com/"');
});

test("a command given as a string instead of a list is rejected with an example", () => {
  const problem = onlyProblem(invalid(`checks:
  - name: app
    type: command
    command: pgrep -x myapp
`));
  assert.equal(problem.path, "checks[0].command");
  assert.equal(problem.line, 4);
  assert.ok(problem.message.includes("expected a list of program and arguments"), problem.message);
  assert.ok(problem.message.endsWith('got "pgrep -x myapp"'), problem.message);
});

test("an empty command list is rejected", () => {
  const problem = onlyProblem(invalid(`checks:
  - name: app
    type: command
    command: []
`));
  assert.equal(problem.path, "checks[0].command");
  assert.equal(problem.message, "expected at least the program to run");
});

test("an empty file is rejected as empty", () => {
  for (const text of ["", "\n", "# only a comment\n"]) {
    const error = invalid(text);
    const problem = onlyProblem(error);
    assert.equal(problem.line, undefined);
    assert.equal(problem.message, "the file is empty: it needs at least a checks list");
    assert.equal(
      error.message,
      'Invalid config "vitals.yaml" (1 problem):\n' +
        "  vitals.yaml: the file is empty: it needs at least a checks list",
    );
  }
});

test("a top-level scalar is rejected as not a mapping", () => {
  const problem = onlyProblem(invalid("hello\n"));
  assert.equal(problem.line, 1);
  assert.equal(problem.message, 'expected a mapping with a checks list, got "hello"');
});

test("a top-level list is rejected as not a mapping", () => {
  const problem = onlyProblem(invalid("- name: db\n  type: tcp\n"));
  assert.equal(problem.message, "expected a mapping with a checks list, got a list");
});

test("an empty checks list is rejected", () => {
  const problem = onlyProblem(invalid("checks: []\n"));
  assert.equal(problem.path, "checks");
  assert.equal(problem.line, 1);
  assert.equal(problem.message, "expected at least one check");
});

test("a checks key with no value is rejected", () => {
  const problem = onlyProblem(invalid("checks:\n"));
  assert.equal(problem.path, "checks");
  assert.equal(problem.message, "expected a list of checks, got null (an empty value)");
});

test("a check name with a space or other punctuation is rejected", () => {
  for (const name of ["my db", "db/primary", "db:1"]) {
    const problem = onlyProblem(invalid(`checks:
  - name: "${name}"
    type: tcp
    port: 5432
`));
    assert.equal(problem.path, "checks[0].name");
    assert.equal(problem.line, 2);
    assert.ok(problem.message.includes("expected a name of letters, digits"), problem.message);
    assert.ok(problem.message.endsWith(`got ${JSON.stringify(name)}`), problem.message);
  }
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

test("a header whose key needs quoting is shown with a bracketed key path", () => {
  const problem = onlyProblem(invalid(`checks:
  - name: web
    type: http
    url: http://localhost/
    headers:
      X-Probe: \${NOPE}
`));
  assert.equal(problem.path, 'checks[0].headers["X-Probe"]');
  assert.equal(problem.line, 6);
});

test("all problems are reported at once, in file order", () => {
  const error = invalid(`server:
  port: 99999
cache:
  ttl: soon
checks:
  - name: db
    type: tcp
    port: abc
  - name: db
    type: http
    url: \${NOPE}
    method: POST
`);
  assert.ok(error.problems.length >= 4, `expected at least 4 problems, got:\n${error.message}`);
  assert.deepEqual(
    error.problems.map((problem) => [problem.line, problem.path]),
    [
      [2, "server.port"],
      [4, "cache.ttl"],
      [8, "checks[0].port"],
      [9, "checks[1].name"],
      [11, "checks[1].url"],
      [12, "checks[1].method"],
    ],
  );
  const lines = error.problems.map((problem) => problem.line ?? Infinity);
  assert.deepEqual(lines, [...lines].sort((a, b) => a - b), "problems are in line order");
  assert.ok(error.message.startsWith('Invalid config "vitals.yaml" (6 problems):\n'));
  assert.equal(error.message.split("\n").length, 7, "a head line and one line per problem");
});

// ---------------------------------------------------------------------------
// loadConfig

test("loadConfig reports a missing file as a ConfigError naming the file", async () => {
  const platform = {
    readTextFile: (_path: string): Promise<string> => Promise.reject(new PlatformError("ENOENT")),
    env: (): Record<string, string> => ({}),
  };
  await assert.rejects(loadConfig("x.yaml", platform), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, 'Cannot read config "x.yaml": file does not exist');
    assert.equal(error.file, "x.yaml");
    assert.deepEqual(error.problems, [{ message: "file does not exist" }]);
    assert.ok(error.cause instanceof PlatformError, "keeps the platform error as the cause");
    return true;
  });
});

test("loadConfig reads the file and expands variables from the platform environment", async () => {
  const read: string[] = [];
  const platform = {
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
  const config = await loadConfig("x.yaml", platform);
  assert.deepEqual(read, ["x.yaml"]);
  assert.equal(checkOf(config, 0, "tcp").port, 5433);
  assert.equal(config.server.port, 8080);
});

test("loadConfig names the file it read in validation errors", async () => {
  const platform = {
    readTextFile: (_path: string): Promise<string> => Promise.resolve("checks: []\n"),
    env: (): Record<string, string> => ({}),
  };
  await assert.rejects(loadConfig("x.yaml", platform), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.file, "x.yaml");
    assert.equal(
      error.message,
      'Invalid config "x.yaml" (1 problem):\n  x.yaml:1:9: checks: expected at least one check',
    );
    return true;
  });
});

// ---------------------------------------------------------------------------
// JSON Schema

test("configJsonSchema describes a strict top-level object that requires checks", () => {
  const schema = configJsonSchema();
  assert.equal(typeof schema.$schema, "string");
  assert.match(String(schema.$schema), /json-schema\.org/);
  assert.equal(schema.type, "object");
  assert.equal(schema.additionalProperties, false);
  assert.ok(Array.isArray(schema.required), "required is a list");
  assert.ok((schema.required as unknown[]).includes("checks"));
  assert.ok(
    !(schema.required as unknown[]).includes("server"),
    "sections with defaults are optional",
  );
  const properties = schema.properties as Record<string, unknown>;
  assert.deepEqual(
    Object.keys(properties).sort(),
    ["cache", "checks", "defaults", "pool", "server"],
  );
  assert.equal(schema.title, "vitals config");
  assert.doesNotThrow(() => JSON.stringify(schema), "the schema is plain JSON");
});

test("a duration longer than a timer can hold (24.8 days) is rejected, not fired at once", () => {
  const problem = onlyProblem(invalid(`defaults:\n  timeout: 600h\n${ONE_TCP_CHECK}`));
  assert.equal(problem.path, "defaults.timeout");
  assert.match(problem.message, /at most 24 days/);
});

test("an unresolved YAML alias is a ConfigError, not a crash", () => {
  const error = invalid("checks:\n  - *nope\n");
  assert.match(error.message, /YAML error: Unresolved alias/);
});

test("a __proto__ key is reported as unknown, not swallowed", () => {
  const error = invalid(`__proto__:\n  checks:\n    - {name: db, type: tcp, port: 5432}\n`);
  assert.ok(error.problems.some((p) => p.path === "__proto__" && /unknown key/.test(p.message)));
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
