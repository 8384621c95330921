/**
 * Robustness: bad input always gets a clear answer. Property tests (fast-check)
 * feed the config loader random text, random YAML, mutations of the example
 * config and near-schema configs, and feed the HTTP handler random requests;
 * raw malformed HTTP/1.1 goes over sockets to a real server on 127.0.0.1; and
 * resource failures (a TCP peer that never speaks HTTP, a name that does not
 * resolve, an unreadable config path, a program that cannot be executed) each
 * end in a clear message, never a crash. (A taken port, a missing or deleted
 * config file and a non-executable script are covered in cli, lifecycle and
 * checks tests.)
 *
 * Every property runs a bounded number of times from a fixed seed, so a failure
 * reproduces; fast-check prints the seed and the shrunk counterexample.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Buffer } from "node:buffer";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { stringify } from "yaml";
import { type App, createApp } from "../src/app/create_app.ts";
import { createCheck } from "../src/checks/create_check.ts";
import { ConfigError } from "../src/config/error.ts";
import { loadConfig, parseConfig } from "../src/config/load.ts";
import { CHECK_NAME_PATTERN, MAX_DURATION_MS } from "../src/config/schema.ts";
import { silentLogger } from "../src/log.ts";
import { METRICS_CONTENT_TYPE } from "../src/http/metrics.ts";
import { CHECK_BASE, platform, startServer } from "./helpers.ts";
import { type CheckResult, GROUPS } from "../src/types.ts";
import type { CheckConfig, Config } from "../src/config/resolve.ts";

const FILE = "fuzz.yaml";
const SEED = 20261121;

/** Runs a property with the file's fixed seed and the given number of runs. */
function check<T>(property: fc.IProperty<T>, numRuns: number): void {
  fc.assert(property, { seed: SEED, numRuns });
}

// ---------------------------------------------------------------------------
// Config loader

/** Asserts that `error` is a ConfigError a person can read. */
function assertClearConfigError(error: unknown, file = FILE): void {
  if (!(error instanceof ConfigError)) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    assert.fail(`expected a ConfigError, got ${detail}`);
  }
  assert.equal(error.file, file);
  assert.ok(error.problems.length > 0, "a ConfigError lists at least one problem");
  assert.ok(error.message.length > 0, "the message is not empty");
  const [head, ...rest] = error.message.split("\n");
  assert.ok(
    head?.startsWith(`Invalid config "${file}"`) ||
      head?.startsWith(`Cannot read config "${file}"`),
    `the first line names the file: ${JSON.stringify(head)}`,
  );
  assert.ok(!/^\s+at /m.test(error.message), `no stack trace in:\n${error.message}`);
  for (const line of rest) {
    assert.ok(
      line.startsWith(`  ${file}`),
      `every problem line names the file: ${JSON.stringify(line)}`,
    );
  }
  for (const problem of error.problems) {
    assert.ok(problem.message.trim().length > 0, "every problem says what is wrong");
  }
}

/** Asserts what every loaded config promises. */
function assertConfigInvariants(config: Config): void {
  assert.ok(config.checks.length > 0, "at least one check");
  const names = config.checks.map((c) => c.name);
  assert.equal(new Set(names).size, names.length, `names are unique: ${names.join(", ")}`);
  const validPort = (port: number, min: number) =>
    Number.isInteger(port) && port >= min && port <= 65535;
  assert.ok(validPort(config.server.port, 0), `server.port ${config.server.port}`);
  const validDuration = (ms: number, min: number) =>
    Number.isSafeInteger(ms) && ms >= min && ms <= MAX_DURATION_MS;
  assert.ok(validDuration(config.server.maxWait, 1), `maxWait ${config.server.maxWait}`);
  assert.ok(validDuration(config.server.drainDelay, 0), `drainDelay ${config.server.drainDelay}`);
  assert.ok(validDuration(config.cache.ttl, 0), `ttl ${config.cache.ttl}`);
  assert.ok(config.pool.size >= 1 && Number.isInteger(config.pool.size), "pool.size");
  for (const item of config.checks) {
    assert.match(item.name, CHECK_NAME_PATTERN);
    assert.ok(validDuration(item.timeout, 1), `${item.name}: timeout ${item.timeout}`);
    assert.ok(validDuration(item.interval, 0), `${item.name}: interval ${item.interval}`);
    assert.ok(item.groups.every((g) => (GROUPS as readonly string[]).includes(g)));
    assert.equal(typeof item.critical, "boolean");
    for (const threshold of [item.failureThreshold, item.successThreshold]) {
      assert.ok(Number.isInteger(threshold) && threshold >= 1 && threshold <= 1000);
    }
    switch (item.type) {
      case "tcp":
        assert.ok(validPort(item.port, 1), `${item.name}: port ${item.port}`);
        assert.ok(item.host.length > 0);
        break;
      case "http":
      case "tabbyapi":
        assert.match(new URL(item.url).protocol, /^https?:$/);
        break;
      case "command":
        assert.ok(item.command.length > 0);
        break;
    }
  }
}

/**
 * Parses `text` and asserts the loader's contract: a valid config or a clear
 * ConfigError, never another exception, and promptly.
 */
function loaderAnswersClearly(text: string, env: Record<string, string> = {}): void {
  const started = performance.now();
  let config: Config | undefined;
  try {
    config = parseConfig(text, FILE, env);
  } catch (error) {
    assertClearConfigError(error);
  }
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2000, `parseConfig took ${Math.round(elapsed)} ms`);
  if (config) assertConfigInvariants(config);
}

/** Characters and words that mean something in YAML or in the schema. */
const YAML_TOKENS = [
  ...[":", ": ", "-", "- ", " ", "  ", "\n", "\r\n", "\t", "[", "]", "{", "}", ",", "&a", "*a"],
  ...["!", "!!str", "!!int", "!!binary", "|", ">", "'", '"', "%YAML 1.1\n", "---\n", "...\n"],
  ...["#", "?", "<<", "${", "}", "$${", "${UNSET}", "${HOME:-x}", "\\", "\0", "\u2028", "\uFEFF"],
  ..."~ null checks name type command tcp http port url timeout 5s 0 -1 1e309 .inf".split(" "),
  ..."0x1F true x- __proto__ constructor é 😀".split(" "),
];

test("the loader returns a config or throws a clear ConfigError for any text", () => {
  check(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.string({ unit: "binary", maxLength: 200 }),
        fc.string({ unit: fc.constantFrom(...YAML_TOKENS), maxLength: 80 }),
        fc.string({ unit: fc.constantFrom(...YAML_TOKENS), maxLength: 40 })
          .map((tail) => `checks:\n  - {name: a, type: tcp, port: 1}\n${tail}`),
      ),
      (text) => loaderAnswersClearly(text),
    ),
    500,
  );
});

/** Keys the schema knows, so random mappings often hit real validation paths. */
const SCHEMA_KEYS = [
  ..."server cache pool defaults checks host port maxWait drainDelay metrics detailsToken".split(
    " ",
  ),
  ..."metricsToken ttl mode size timeout critical groups interval failureThreshold".split(" "),
  ..."successThreshold name type command cwd env url method headers expectStatus".split(" "),
  ..."bodyContains path apiKey requireModel x-anchors <<".split(" "),
];

const key = fc.oneof(fc.constantFrom(...SCHEMA_KEYS), fc.string({ maxLength: 12 }));

test("the loader returns a config or throws a clear ConfigError for YAML of any random value", () => {
  const anyValue = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.object({ maxDepth: 3, key }),
    fc.record({
      checks: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.array(fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }), {
          maxLength: 4,
        }),
      ),
      server: fc.dictionary(key, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
    }, { requiredKeys: ["checks"] }),
  );
  check(
    fc.property(anyValue, fc.boolean(), (value, flow) => {
      let text: string;
      try {
        text = stringify(value, flow ? { collectionStyle: "flow" } : {});
      } catch {
        // Not every JavaScript value has a YAML form; such values are not config text.
        fc.pre(false);
        return;
      }
      loaderAnswersClearly(text);
    }),
    300,
  );
});

const EXAMPLE = readFileSync(new URL("../config.example.yaml", import.meta.url), "utf8");

test("the example config itself loads: the mutation test starts from a valid file", () => {
  assertConfigInvariants(parseConfig(EXAMPLE, FILE, {}));
});

/** One random edit of a text, by line or by character. */
type Edit =
  | { kind: "delete"; at: number; length: number }
  | { kind: "duplicate"; line: number }
  | { kind: "insert"; at: number; text: string }
  | { kind: "swap"; a: number; b: number }
  | { kind: "indent"; line: number; by: number }
  | { kind: "replace"; at: number; text: string };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant("delete" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({ kind: fc.constant("duplicate" as const), line: fc.nat() }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.string({ unit: fc.constantFrom(...YAML_TOKENS), maxLength: 4 }),
    ),
  }),
  fc.record({ kind: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({
    kind: fc.constant("indent" as const),
    line: fc.nat(),
    by: fc.integer({ min: -4, max: 4 }),
  }),
  fc.record({
    kind: fc.constant("replace" as const),
    at: fc.nat(),
    text: fc.constantFrom("0", "-1", "x", ":", " ", "\t", "'", "[", "{", "*a", "&a", "${UNSET}"),
  }),
);

function applyEdit(text: string, change: Edit): string {
  const lines = text.split("\n");
  const line = (n: number) => n % lines.length;
  switch (change.kind) {
    case "delete": {
      const at = change.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + change.length);
    }
    case "duplicate":
      lines.splice(line(change.line), 0, lines[line(change.line)] ?? "");
      return lines.join("\n");
    case "insert": {
      const at = change.at % (text.length + 1);
      return text.slice(0, at) + change.text + text.slice(at);
    }
    case "swap": {
      const a = lines[line(change.a)] ?? "";
      lines[line(change.a)] = lines[line(change.b)] ?? "";
      lines[line(change.b)] = a;
      return lines.join("\n");
    }
    case "indent": {
      const current = lines[line(change.line)] ?? "";
      lines[line(change.line)] = change.by >= 0
        ? " ".repeat(change.by) + current
        : current.replace(new RegExp(`^ {0,${-change.by}}`), "");
      return lines.join("\n");
    }
    case "replace": {
      const at = change.at % Math.max(text.length, 1);
      return text.slice(0, at) + change.text + text.slice(at + 1);
    }
  }
}

test("the loader returns a config or throws a clear ConfigError for random edits of the example config", () => {
  check(
    fc.property(
      fc.array(edit, { minLength: 1, maxLength: 5 }),
      fc.constantFrom<Record<string, string>>({}, { TABBY_API_KEY: "k" }),
      (edits, env) => loaderAnswersClearly(edits.reduce(applyEdit, EXAMPLE), env),
    ),
    300,
  );
});

/** Scalars as written in YAML, including ones that trip up loaders. */
const RAW_SCALARS = [
  ..."5x -1 1e309 -1e309 .inf .nan ~ null 0 00 0x1F 0o17 1_000 1.5 2147483647".split(" "),
  ..."2147483648 9007199254740993 65535 65536 true yes on 5s 250ms 1.5m 24d 0ms 1h 600h [] {}"
    .split(" "),
  ..."command tcp http tabbyapi GET HEAD POST ready [bogus] background on-demand".split(" "),
  ...['""', "''", '"${UNSET}"', '"${UNSET:-5s}"', '"$${NOT_A_VAR}"', '" 5 s "', "[1, 2]"],
  ...["{a: 1}", "!!binary aGVsbG8=", "!!str 5", "!!int 5", "!!float 5", "!!null ''", "!custom x"],
  ...["*undefined_alias", "&anchor 5", '"\\u0000"', '"\\t"', '"é"', "http://127.0.0.1:1/"],
  ...['"ftp://x"', '["true"]', '["/bin/sh"]', "[live, ready]"],
];

const rawScalar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...RAW_SCALARS) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }).map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
);

/** Mostly valid values of one kind, sometimes an odd scalar. */
const mostly = (valid: readonly string[]) =>
  fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...valid) }, {
    weight: 1,
    arbitrary: rawScalar,
  });

type Entry = readonly [string, fc.Arbitrary<string>];

const duration = mostly(["5s", "250ms", "1.5m", "1h", "100", "1", '"${TIMEOUT:-2s}"', "24h"]);

/** Keys every check may have, with mostly valid values. */
const COMMON: readonly Entry[] = [
  ["timeout", duration],
  ["interval", duration],
  ["critical", mostly(["true", "false", '"${FLAG:-true}"'])],
  ["groups", mostly(["[live]", "ready", "[live, ready, started]", "[ready, ready]"])],
  ["failureThreshold", mostly(["1", "3", "1000"])],
  ["successThreshold", mostly(["1", "2"])],
];

/** Per type: the required keys, then the optional ones. */
const KINDS: Record<string, { required: readonly Entry[]; optional: readonly Entry[] }> = {
  command: {
    required: [["command", mostly(['["true"]', '["sh", "-c", "exit 0"]', "[x]"])]],
    optional: [["cwd", mostly(["/tmp", '"/"'])], ["env", mostly(["{LC_ALL: C}", "{}"])]],
  },
  tcp: {
    required: [["port", mostly(["5432", "1", "65535", '"${PORT:-80}"'])]],
    optional: [["host", mostly(["127.0.0.1", "localhost", "db.internal"])]],
  },
  http: {
    required: [["url", mostly(['"http://127.0.0.1:3000/ready"', "https://example.invalid/"])]],
    optional: [
      ["method", mostly(["GET", "HEAD"])],
      ["expectStatus", mostly(["200", "[200, 204]", "[599]"])],
      ["bodyContains", mostly(["ok", '"ready"'])],
      ["headers", mostly(["{X-Probe: vitals}", "{}"])],
    ],
  },
  tabbyapi: {
    required: [["url", mostly(['"http://127.0.0.1:5000"'])]],
    optional: [
      ["path", mostly(["/health", "/v1/health"])],
      ["apiKey", mostly(['"${TABBY_API_KEY:-}"', "secret"])],
      ["requireModel", mostly(["false", "true"])],
    ],
  },
};

/** Picks some of `entries` and renders each as `key: value` with the given indent. */
const someOf = (entries: readonly Entry[], indent: string, minLength = 0) =>
  fc.subarray([...entries], { minLength, maxLength: Math.min(3, entries.length) }).chain((picked) =>
    fc.tuple(...picked.map(([k, v]) => v.map((value) => `${indent}${k}: ${value}`)))
  );

/** A stray key with an odd value, now and then. */
const stray = (indent: string) =>
  fc.oneof({ weight: 20, arbitrary: fc.constant("") }, {
    weight: 1,
    arbitrary: fc.tuple(key, rawScalar).map(([k, v]) => `${indent}${JSON.stringify(k)}: ${v}`),
  });

/** A check as YAML lines: a type, its required and some optional keys, now and then odd ones. */
const checkLines = (index: number) =>
  fc.record({
    name: fc.oneof({ weight: 6, arbitrary: fc.constant(`c${index}`) }, {
      weight: 1,
      arbitrary: mostly(["a", "db", "web.1", "x_y-z"]),
    }),
    type: fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...Object.keys(KINDS)) }, {
      weight: 1,
      arbitrary: rawScalar,
    }),
  }).chain(({ name, type }) => {
    const kind = KINDS[type] ?? { required: [], optional: [] };
    return fc.tuple(
      fc.tuple(...kind.required.map(([k, v]) => v.map((value) => `    ${k}: ${value}`))),
      someOf([...COMMON, ...kind.optional], "    "),
      stray("    "),
    ).map(([required, optional, odd]) =>
      [`  - name: ${name}`, `    type: ${type}`, ...required, ...optional, odd]
        .filter((line) => line !== "").join("\n")
    );
  });

/** A top-level section with some of its keys, or nothing. */
const section = (title: string, entries: readonly Entry[]) =>
  fc.option(
    fc.tuple(someOf(entries, "  ", 1), stray("  ")).map(([lines, odd]) =>
      [`${title}:`, ...lines, odd].filter((line) => line !== "").join("\n")
    ),
    { nil: "" },
  );

test("the loader returns a config or throws a clear ConfigError for near-schema configs with odd values", () => {
  check(
    fc.property(
      section("server", [
        ["host", mostly(["127.0.0.1", "0.0.0.0"])],
        ["port", mostly(["0", "8080", '"${PORT}"'])],
        ["maxWait", duration],
        ["drainDelay", mostly(["0", "5s"])],
        ["metrics", mostly(["true", "false"])],
        ["detailsToken", mostly(["s3cret", '"${TOKEN:-}"'])],
        ["metricsToken", mostly(["s3cret", '""'])],
      ]),
      section("cache", [
        ["ttl", mostly(["0", "30s", "1s"])],
        ["mode", mostly(["on-demand", "background"])],
      ]),
      section("pool", [["size", mostly(["1", "4", "1024"])]]),
      section("defaults", COMMON.filter(([k]) => k !== "interval")),
      fc.integer({ min: 0, max: 4 }).chain((count) =>
        fc.tuple(...Array.from({ length: count }, (_, i) => checkLines(i)))
      ),
      fc.constantFrom<Record<string, string>>({}, { PORT: "8080", EMPTY: "", TIMEOUT: "" }),
      (server, cache, pool, defaults, checks, env) => {
        const text = [server, cache, pool, defaults, "checks:", ...checks].join("\n") + "\n";
        loaderAnswersClearly(text, env);
      },
    ),
    300,
  );
});

test("an alias bomb, deep nesting and a thousand checks get a prompt answer", () => {
  const letters = "abcdefghij";
  const bomb = [...letters].map((name, i) =>
    i === 0
      ? `${name}: &${name} [x, x, x, x, x, x, x, x, x, x]`
      : `${name}: &${name} [${Array(10).fill(`*${letters[i - 1]}`).join(", ")}]`
  );
  const many = (name: (i: number) => string) =>
    "checks:\n" +
    Array.from({ length: 1000 }, (_, i) => `  - {name: ${name(i)}, type: tcp, port: 1}`)
      .join("\n") +
    "\n";
  const deepBlock = Array.from({ length: 1000 }, (_, i) => `${" ".repeat(i)}a:`).join("\n");
  const refused: [string, string][] = [
    ["alias bomb", `${bomb.join("\n")}\nchecks: [{name: a, type: tcp, port: 1}]\n`],
    ["2000-deep flow list", `checks: ${"[".repeat(2000)}${"]".repeat(2000)}\n`],
    ["2000-deep flow map", `x: ${"{a: ".repeat(2000)}1${"}".repeat(2000)}\n`],
    ["1000-deep block map", `${deepBlock} 1\n`],
    ["1000 checks of one name", many(() => "same")],
  ];
  for (const [label, text] of refused) {
    const started = performance.now();
    assert.throws(() => parseConfig(text, FILE, {}), (error: unknown) => {
      assertClearConfigError(error);
      return true;
    }, label);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 2000, `${label}: ${Math.round(elapsed)} ms`);
  }
  assert.equal(parseConfig(many((i) => `c${i}`), FILE, {}).checks.length, 1000);
});

// Loader edge cases found by the properties above, kept as minimal reproductions.

test("a YAML alias that refers to itself is a ConfigError, not a stack overflow", () => {
  for (
    const text of [
      "checks: &c [{name: a, type: tcp, port: 1}, *c]\n",
      "checks:\n  - &c {name: a, type: tcp, port: 1, x: *c}\n",
      "checks: [{name: a, type: tcp, port: 1}]\nx-loop: &a [*a]\n",
    ]
  ) {
    loaderAnswersClearly(text);
  }
});

test("a line break in an unknown key or a duplicate name stays inside one problem line", () => {
  for (
    const text of [
      'checks: [{name: a, type: tcp, port: 1}]\n"bad\\nkey": 1\n',
      'checks: [{name: "a\\nb", type: tcp, port: 1}, {name: "a\\nb", type: tcp, port: 2}]\n',
      'checks: [{name: a, type: tcp, port: 1, "x\\n    at y": 2}]\n',
    ]
  ) {
    loaderAnswersClearly(text);
  }
});

test("a variable named like an Object.prototype property is unset when the environment lacks it", () => {
  const error = (() => {
    try {
      parseConfig(
        'checks: [{name: a, type: command, command: ["${constructor}"]}]\n',
        FILE,
        {},
      );
    } catch (error) {
      return error;
    }
    return undefined;
  })();
  assertClearConfigError(error);
  assert.match(String((error as Error).message), /environment variable "constructor" is not set/);
  const config = parseConfig(
    'checks: [{name: a, type: command, command: ["${toString:-x}"]}]\n',
    FILE,
    {},
  );
  const first = config.checks[0];
  assert.ok(first?.type === "command");
  assert.deepEqual(first.command, ["x"]);
});

// ---------------------------------------------------------------------------
// HTTP handler

/** A real app over one command check that is UP (`true`), optionally with access tokens. */
function createTestApp(server = ""): App {
  const config = parseConfig(
    `${server}cache: {ttl: 30s}\nchecks:\n  - {name: ok, type: command, command: ["true"]}\n`,
    "handler.yaml",
    {},
  );
  return createApp(config, { platform, log: silentLogger });
}

/** Path segments that routers and URL parsers treat specially. */
const SEGMENTS = [
  ..."health simple live ready started Health . .. %2e%2e %2F %00 %ZZ % ? # ; \\ %5C ~".split(" "),
  ..."é %C3%A9 😀 %20 // simple?x health#x * @ :".split(" "),
  ...["", "\u0000", "\t", " ", "a".repeat(300)],
];

const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SEGMENTS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 6 }).map((bytes) =>
      [...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("")
    ),
  },
);

const ROUTES = [
  ..."/health /health/simple /health/live /health/live/simple /health/ready".split(" "),
  ..."/health/ready/ /health/ready/simple /health/started /health/started/simple".split(" "),
  ..."/metrics /metrics/".split(" "),
];

const path = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ROUTES) },
  { weight: 1, arbitrary: fc.webPath() },
  {
    weight: 2,
    arbitrary: fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join("/")}`),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 50 }), fc.constantFrom(...ROUTES, ""))
      .map(([slashes, rest]) => "/".repeat(slashes) + rest),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => `/health/${"x".repeat(n)}`),
  },
);

const QUERIES = [
  ..."?simple ?simple=0 ?&&simple& ?simple#frag ?%00 ?xformat=1 ?format= ?format=xml".split(" "),
  ..."?format=json ?format=text ?format=microprofile ?format=health%2Bjson".split(" "),
  ..."?format=health+json ?format=json&format=text ?simple&format=text".split(" "),
  "?" + "a=1&".repeat(500),
];

const query = fc.oneof(
  fc.constant(""),
  fc.webQueryParameters().map((q) => `?${q}`),
  fc.string({ maxLength: 20 }).map((q) => `?${q}`),
  fc.constantFrom(...QUERIES),
);

const method = fc.oneof(
  fc.constantFrom(
    ..."GET HEAD POST PUT DELETE PATCH OPTIONS get head post patch Get PROPFIND M-SEARCH BREW X QUERY"
      .split(" "),
  ),
  fc.string({
    unit: fc.constantFrom(..."!#$%&'*+-.^_`|~0123456789ABCXYZabcxyz"),
    minLength: 1,
    maxLength: 12,
  }),
);

const headerName = fc.oneof(
  fc.constantFrom(
    ..."accept accept authorization user-agent content-type content-length transfer-encoding"
      .split(" "),
    ..."connection host x-forwarded-for cookie range if-none-match expect upgrade".split(" "),
  ),
  fc.string({
    unit: fc.constantFrom(..."!#$%&'*+-.^_`|~0123456789abcdefxyz"),
    minLength: 1,
    maxLength: 20,
  }),
);

const HEADER_VALUES = [
  ...["", " ", "0", "-1", "chunked", "close", "100-continue", "websocket", "*/*"],
  ...["text/plain", "application/health+json", "application/json;q=0.1, text/plain;q=0.9"],
  ...["text/plain;q=abc", "application/health+json;q=-1", "Bearer s3cret", "Bearer wrong"],
  ...["Bearer ", "bearer s3cret", "Basic dXNlcjpwYXNz", "x".repeat(8000)],
];

const headerValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code)),
      maxLength: 6,
    }),
  },
  { weight: 4, arbitrary: fc.constantFrom(...HEADER_VALUES) },
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => new Uint8Array(bytes)),
  fc.constant("x".repeat(100_000)),
);

/** Builds the Request, or `undefined` when the Request constructor itself rejects the input. */
function buildRequest(
  url: string,
  init: {
    method: string;
    headers: [string, string][];
    body: string | Uint8Array<ArrayBuffer> | undefined;
  },
): Request | undefined {
  try {
    const withBody = init.body !== undefined && !/^(GET|HEAD)$/i.test(init.method);
    return new Request(url, {
      method: init.method,
      headers: init.headers,
      ...(withBody && init.body !== undefined ? { body: init.body } : {}),
    });
  } catch {
    return undefined;
  }
}

const CONTENT_TYPES = new Set([
  "application/json",
  "application/health+json",
  "text/plain; charset=utf-8",
  METRICS_CONTENT_TYPE,
]);

/**
 * Asserts the handler's contract for one request to an app whose only check is
 * UP: a documented status (401 only where a token is configured), never 500,
 * never the internal-error path, a known content type, and a JSON body for JSON
 * types (HEAD: no body, with the length GET would have).
 */
async function assertClearAnswer(app: App, request: Request, tokens: boolean): Promise<void> {
  const label = `${request.method} ${request.url.slice(0, 200)}`;
  const response = await app.handler(request);
  const allowed = [200, 400, 404, 405, 413, ...(tokens ? [401] : [])];
  const text = await response.text();
  assert.ok(allowed.includes(response.status), `status ${response.status} for ${label}: ${text}`);
  const type = response.headers.get("content-type") ?? "";
  assert.ok(CONTENT_TYPES.has(type), `content-type ${type} for ${label}`);
  if (request.method === "HEAD") {
    assert.equal(text, "");
    assert.match(response.headers.get("content-length") ?? "", /^\d+$/);
    return;
  }
  if (type.includes("json")) {
    const parsed: unknown = JSON.parse(text);
    assert.ok(parsed !== null && typeof parsed === "object", text);
  } else {
    assert.ok(text.length > 0, `a ${type} body for ${label}`);
  }
  if (response.status === 405) assert.equal(response.headers.get("allow"), "GET, HEAD");
}

test("the handler answers any request with a documented status and a well-formed body, never 500 or a throw", async () => {
  const open = createTestApp();
  const guarded = createTestApp(
    "server: {detailsToken: s3cret, metricsToken: s3cret}\n",
  );
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        path,
        query,
        fc.oneof(fc.constant(""), fc.webFragments().map((f) => `#${f}`)),
        method,
        fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }),
        body,
        async (tokens, path, query, fragment, method, headers, body) => {
          const request = buildRequest(`http://127.0.0.1:8080${path}${query}${fragment}`, {
            method,
            headers,
            body,
          });
          fc.pre(request !== undefined);
          await assertClearAnswer(tokens ? guarded : open, request, tokens);
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  } finally {
    open.health.close();
    guarded.health.close();
  }
});

test("a malformed escape in ?format= answers 400, not an internal-error 503", async () => {
  const app = createTestApp();
  try {
    for (const query of ["?format=%ZZ", "?format=%", "?format=%E0%A4%A"]) {
      const response = await app.handler(
        new Request(`http://127.0.0.1:8080/health${query}`),
      );
      assert.equal(response.status, 400, `${query}: ${await response.clone().text()}`);
      await assertClearAnswer(app, new Request(`http://127.0.0.1:8080/health${query}`), false);
    }
  } finally {
    app.health.close();
  }
});

// ---------------------------------------------------------------------------
// Raw HTTP/1.1 over sockets

/** What one raw exchange sends. */
interface RawCase {
  readonly label: string;
  /** Written in order; strings are sent as Latin-1, one byte per character. */
  readonly parts: readonly (string | Uint8Array)[];
  /** Destroy the socket right after writing, without waiting for an answer. */
  readonly abort?: boolean;
  /** The request says HTTP/1.0, so an HTTP/1.0 status line is a fine answer. */
  readonly http10?: boolean;
  /** The HTTP/2 preface: a server may answer in HTTP/2 (h2c prior knowledge). */
  readonly http2?: boolean;
  /** How many final responses must come back, when that is certain. */
  readonly responses?: number;
}

/**
 * Sends `parts` on a fresh connection and returns what came back (Latin-1)
 * when the server closes, or after `waitMs`. Never rejects; always closes.
 */
function rawExchange(port: number, raw: RawCase, waitMs = 700): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: "127.0.0.1", port });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString("latin1"));
    };
    const timer = setTimeout(finish, waitMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", finish);
    socket.on("close", finish);
    socket.on("end", finish);
    socket.on("connect", () => {
      for (const part of raw.parts) {
        socket.write(typeof part === "string" ? Buffer.from(part, "latin1") : part);
      }
      if (raw.abort) finish();
    });
  });
}

/**
 * Asserts every status line in `received` is HTTP/1.1 (or HTTP/1.0 in answer to
 * an HTTP/1.0 request) with a 2xx, 4xx or 5xx code other than 500. An interim
 * `100 Continue` (the answer to `Expect: 100-continue`) must be followed by a
 * final status line.
 */
function assertStatusLines(received: string, raw: RawCase): void {
  if (received === "") return;
  if (raw.http2 && !received.startsWith("HTTP/")) {
    // An HTTP/2 server's first frame is SETTINGS: a 9-byte header with type 0x4.
    assert.equal(received.charCodeAt(3), 0x4, `${raw.label}: not a SETTINGS frame`);
    return;
  }
  const version = raw.http10 ? /^HTTP\/1\.[01] / : /^HTTP\/1\.1 /;
  assert.match(received, version, `${raw.label}: got ${JSON.stringify(received.slice(0, 80))}`);
  // Bodies are JSON without a trailing newline, so a pipelined status line may follow one directly.
  const statusLines = received.match(/HTTP\/\d\.\d \d{3}[^\r\n]*/g) ?? [];
  const final = statusLines.filter((line) => !/^HTTP\/1\.1 100 /.test(line));
  assert.ok(final.length > 0, `${raw.label}: only an interim response: ${statusLines.join(" | ")}`);
  if (raw.responses !== undefined) {
    assert.equal(final.length, raw.responses, `${raw.label}: ${final.join(" | ")}`);
  }
  for (const line of final) {
    assert.match(line, version, `${raw.label}: ${line}`);
    assert.match(line, /^HTTP\/1\.[01] [245]\d\d( |$)/, `${raw.label}: ${line}`);
    assert.doesNotMatch(line, /^HTTP\/1\.[01] 500/, `${raw.label}: ${line}`);
  }
}

const GET = "GET /health/simple HTTP/1.1\r\nHost: 127.0.0.1\r\n";

/** Hand-written malformed and odd requests. */
const RAW_CASES: readonly RawCase[] = [
  { label: "garbage request line", parts: ["GARBAGE\r\n\r\n"] },
  { label: "missing version", parts: ["GET /health/simple\r\n\r\n"] },
  { label: "unknown version", parts: ["GET /health/simple HTTP/9.9\r\nHost: x\r\n\r\n"] },
  { label: "HTTP/1.0 without Host", parts: ["GET /health/simple HTTP/1.0\r\n\r\n"], http10: true },
  { label: "double spaces", parts: ["GET  /health/simple  HTTP/1.1\r\nHost: x\r\n\r\n"] },
  { label: "lowercase method", parts: ["get /health/simple HTTP/1.1\r\nHost: x\r\n\r\n"] },
  {
    label: "unknown method",
    parts: ["BREW /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
  },
  { label: "no Host header", parts: ["GET /health/simple HTTP/1.1\r\nConnection: close\r\n\r\n"] },
  { label: "two Host headers", parts: [`${GET}Host: other\r\nConnection: close\r\n\r\n`] },
  { label: "100 KB header", parts: [`${GET}X-Big: ${"a".repeat(100_000)}\r\n\r\n`] },
  {
    label: "2000 headers",
    parts: [`${GET}${Array.from({ length: 2000 }, (_, i) => `X-H${i}: v\r\n`).join("")}\r\n`],
  },
  {
    label: "100 KB request target",
    parts: [`GET /health/${"x".repeat(100_000)} HTTP/1.1\r\n\r\n`],
  },
  { label: "NUL and DEL in a header value", parts: [`${GET}X-Bad: a\x00b\x7f\r\n\r\n`] },
  { label: "space in a header name", parts: [`${GET}Bad Header: x\r\n\r\n`] },
  { label: "non-ASCII header name", parts: [`${GET}X-\xe9\xff: x\r\n\r\n`] },
  { label: "header without a colon", parts: [`${GET}NoColon\r\n\r\n`] },
  {
    label: "obsolete line folding",
    parts: [`${GET}X-Fold: a\r\n  continued\r\nConnection: close\r\n\r\n`],
  },
  {
    label: "bare LF line endings",
    parts: ["GET /health/simple HTTP/1.1\nHost: x\nConnection: close\n\n"],
  },
  { label: "bare CR line endings", parts: ["GET /health/simple HTTP/1.1\rHost: x\r\r"] },
  {
    label: "GET with a body",
    parts: [`${GET}Content-Length: 5\r\nConnection: close\r\n\r\nhello`],
  },
  {
    label: "GET with a chunked body",
    parts: [`${GET}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  },
  { label: "negative Content-Length", parts: [`${GET}Content-Length: -1\r\n\r\n`] },
  { label: "non-numeric Content-Length", parts: [`${GET}Content-Length: abc\r\n\r\n`] },
  {
    label: "conflicting Content-Lengths",
    parts: [`${GET}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`],
  },
  {
    label: "Content-Length and chunked together",
    parts: [`${GET}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
  },
  { label: "bad chunk size", parts: [`${GET}Transfer-Encoding: chunked\r\n\r\nzz\r\n`] },
  { label: "huge Content-Length", parts: [`${GET}Content-Length: 99999999999999999999\r\n\r\n`] },
  {
    label: "Expect: 100-continue",
    parts: [
      `POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    ],
  },
  {
    label: "WebSocket upgrade",
    parts: [
      `${GET}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ],
  },
  {
    label: "h2c upgrade",
    parts: [
      `${GET}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n`,
    ],
  },
  { label: "HTTP/2 preface", parts: ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"], http2: true },
  {
    label: "TLS ClientHello",
    parts: [new Uint8Array([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03])],
  },
  { label: "only NUL bytes", parts: [new Uint8Array(64)] },
  { label: "only line breaks", parts: ["\r\n\r\n\r\n\r\n"] },
  {
    label: "absolute-form target",
    parts: [
      "GET http://other.example/health/simple HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ],
  },
  {
    label: "asterisk target",
    parts: ["OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
  },
  { label: "CONNECT", parts: ["CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n"] },
  {
    label: "malformed percent-encoding",
    parts: ["GET /health/%ZZ%/simple HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
  },
  {
    label: "raw UTF-8 in the target",
    parts: ["GET /h\xc3\xa9alth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
  },
  {
    label: "dot segments",
    parts: ["GET /x/../health/./simple HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
  },
  {
    label: "fragment in the target",
    parts: ["GET /health/simple#x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
  },
  {
    label: "three pipelined requests",
    parts: [`${GET}\r\n${GET}\r\n${GET}Connection: close\r\n\r\n`],
    responses: 3,
  },
  {
    label: "a bad request pipelined between good ones",
    parts: [`${GET}\r\nGARBAGE\r\n\r\n${GET}Connection: close\r\n\r\n`],
  },
  { label: "request split byte by byte", parts: [...`${GET}Connection: close\r\n\r\n`] },
  { label: "close in the request line", parts: ["GET /health/sim"], abort: true },
  { label: "close in the headers", parts: [`${GET}X-Half: `], abort: true },
  {
    label: "close in a declared body",
    parts: [`POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789`],
    abort: true,
  },
  { label: "close right after a full request", parts: [`${GET}\r\n`], abort: true },
  { label: "connect and close at once", parts: [], abort: true },
  { label: "headers never finished", parts: [`${GET}X-Slow: 1\r\n`] },
];

/** Latin-1 text, one character per byte: mostly visible ASCII, now and then any byte. */
const latin1 = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0x21, max: 0x7e }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
    ).map((code) => String.fromCharCode(code)),
    maxLength,
  });

/** Random garbage, and requests with random bytes in the target or in a header. */
const RANDOM_CASES: RawCase[] = fc.sample(
  fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes): RawCase => ({
      label: "random bytes",
      parts: [new Uint8Array(bytes)],
    })),
    latin1(40).map((target): RawCase => ({
      label: `random target ${JSON.stringify(target)}`,
      parts: [`GET /health/${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
    })),
    fc.tuple(latin1(12), latin1(40)).map(([name, value]): RawCase => ({
      label: `random header ${JSON.stringify(`${name}: ${value}`)}`,
      parts: [`${GET}${name}: ${value}\r\nConnection: close\r\n\r\n`],
    })),
  ),
  { seed: SEED, numRuns: 30 },
);

test("malformed raw HTTP/1.1 never crashes the server or gets a 500; a normal probe still gets 200", async () => {
  const app = createTestApp();
  const server = await startServer(app.handler);
  try {
    const cases = [...RAW_CASES, ...RANDOM_CASES];
    assert.ok(cases.length >= 50 && cases.length <= 100);
    // Batches run concurrently; after each, the server must still answer probes.
    for (let start = 0; start < cases.length; start += 20) {
      const batch = cases.slice(start, start + 20);
      const received = await Promise.all(batch.map((raw) => rawExchange(server.port, raw)));
      batch.forEach((raw, i) => assertStatusLines(received[i] ?? "", raw));
      const probe = await fetch(`${server.url}/health/simple`);
      assert.equal(probe.status, 200, `after the batch starting at case ${start}`);
      assert.deepEqual(await probe.json(), { status: "UP" });
    }
  } finally {
    await server.close();
    app.health.close();
  }
});

test("an HTTP/1.0 probe without a Host header reaches its route", async () => {
  const app = createTestApp();
  const server = await startServer(app.handler);
  try {
    for (const target of ["/health/simple", "/health", "/health/ready?simple"]) {
      const received = await rawExchange(server.port, {
        label: target,
        parts: [`GET ${target} HTTP/1.0\r\n\r\n`],
        http10: true,
      });
      assert.match(received, /^HTTP\/1\.[01] 200 /, `${target}: ${received.slice(-120)}`);
    }
  } finally {
    await server.close();
    app.health.close();
  }
});

// ---------------------------------------------------------------------------
// Resource failures

function runCheck(config: Record<string, unknown>): Promise<CheckResult> {
  return createCheck({ ...CHECK_BASE, name: "target", ...config } as CheckConfig, { platform })
    .run();
}

/**
 * A TCP server on 127.0.0.1 that never answers in HTTP: `silent` accepts and
 * never writes, `close` reads the request and closes, `garbage` answers an SSH
 * banner.
 */
async function startTcpPeer(
  mode: "silent" | "close" | "garbage",
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    socket.once("data", () => {
      if (mode === "close") socket.end();
      if (mode === "garbage") socket.write("SSH-2.0-OpenSSH_9.6\r\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

test("an http or tabbyapi check against a peer that accepts TCP but never answers is DOWN at its timeout", async () => {
  const peer = await startTcpPeer("silent");
  try {
    for (const type of ["http", "tabbyapi"]) {
      const started = performance.now();
      const result = await runCheck({
        type,
        timeout: 300,
        url: `http://127.0.0.1:${peer.port}/ready`,
        method: "GET",
        path: "/health",
        requireModel: false,
      });
      const elapsed = performance.now() - started;
      assert.equal(result.status, "DOWN", type);
      assert.equal(result.message, "timed out after 300 ms", type);
      assert.ok(elapsed >= 290 && elapsed < 1500, `${type}: DOWN after ${elapsed} ms`);
    }
    // The same peer is UP for a tcp check: it does accept connections.
    const tcp = await runCheck({ type: "tcp", host: "127.0.0.1", port: peer.port });
    assert.equal(tcp.status, "UP", tcp.message);
  } finally {
    await peer.close();
  }
});

test("an http check against a peer that closes without answering is DOWN: connection closed before a response", async () => {
  const peer = await startTcpPeer("close");
  try {
    const result = await runCheck({
      type: "http",
      url: `http://127.0.0.1:${peer.port}/ready`,
      method: "GET",
    });
    assert.equal(result.status, "DOWN");
    assert.equal(
      result.message,
      `GET http://127.0.0.1:${peer.port}/ready failed: connection closed before a response`,
    );
  } finally {
    await peer.close();
  }
});

test("an http check against a peer that answers in another protocol is DOWN with one line naming the URL", async () => {
  const peer = await startTcpPeer("garbage");
  try {
    const result = await runCheck({
      type: "http",
      url: `http://127.0.0.1:${peer.port}/ready`,
      method: "GET",
    });
    assert.equal(result.status, "DOWN");
    assert.ok(
      result.message.startsWith(`GET http://127.0.0.1:${peer.port}/ready failed: `),
      result.message,
    );
    assert.doesNotMatch(result.message, /\n| {4}at /);
  } finally {
    await peer.close();
  }
});

test("a peer that answers in another protocol gets one short, runtime-independent reason", async () => {
  const peer = await startTcpPeer("garbage");
  try {
    const result = await runCheck({
      type: "http",
      url: `http://127.0.0.1:${peer.port}/ready`,
      method: "GET",
    });
    const prefix = `GET http://127.0.0.1:${peer.port}/ready failed: `;
    assert.ok(result.message.startsWith(prefix), result.message);
    const reason = result.message.slice(prefix.length);
    assert.match(reason, /^[A-Za-z][A-Za-z ]{2,40}$/, `a short reason in words: ${reason}`);
  } finally {
    await peer.close();
  }
});

test("an http check to a name under .invalid is DOWN naming the host and that it does not resolve", async () => {
  // RFC 6761: .invalid never resolves, so the only traffic is the lookup itself.
  for (const url of ["http://vitals-test.invalid/ready", "http://vitals-test.invalid:8080/"]) {
    const started = performance.now();
    const result = await runCheck({ type: "http", url, method: "GET", timeout: 5000 });
    assert.equal(result.status, "DOWN");
    assert.equal(result.message, `GET ${url} failed: name does not resolve`);
    assert.ok(performance.now() - started < 5000);
  }
  const tabby = await runCheck({
    type: "tabbyapi",
    url: "http://vitals-test.invalid",
    path: "/health",
    requireModel: false,
  });
  assert.equal(tabby.status, "DOWN");
  assert.match(tabby.message, /vitals-test\.invalid.*name does not resolve/);
});

/** Why a chmod 000 file cannot show a read error here, or `false` when it can. */
function unreadableSkipReason(): string | false {
  const dir = mkdtempSync(`${tmpdir()}/vitals-perm-`);
  const file = `${dir}/probe`;
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
    const dir = await mkdtemp(`${tmpdir()}/vitals-robust-`);
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
  const dir = await mkdtemp(`${tmpdir()}/vitals-robust-`);
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

test("a command check whose program is a directory is DOWN: command not executable", async () => {
  const dir = await mkdtemp(`${tmpdir()}/vitals-robust-`);
  try {
    const result = await runCheck({ type: "command", command: [dir] });
    assert.equal(result.status, "DOWN");
    assert.equal(result.message, `command not executable: "${dir}" (permission denied)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a script whose interpreter is missing is DOWN naming the interpreter, not 'command not found'", async () => {
  const dir = await mkdtemp(`${tmpdir()}/vitals-robust-`);
  const script = `${dir}/check.sh`;
  try {
    await writeFile(script, "#!/nonexistent/interpreter\nexit 0\n", { mode: 0o755 });
    const result = await runCheck({ type: "command", command: [script] });
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /\/nonexistent\/interpreter/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("an executable file that is not a program is DOWN with a clear message", async () => {
  const dir = await mkdtemp(`${tmpdir()}/vitals-robust-`);
  const file = `${dir}/bad.bin`;
  try {
    await writeFile(file, "\x7fELF not really\n", { mode: 0o755 });
    const result = await runCheck({ type: "command", command: [file] });
    assert.equal(result.status, "DOWN");
    assert.doesNotMatch(result.message, /unknown error/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
