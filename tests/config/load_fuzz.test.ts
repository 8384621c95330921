/**
 * Fuzzing the config loader (parseConfig in src/config/load.ts): property
 * tests (fast-check) feed it random text, random YAML, random edits of the
 * example config and near-schema configs with odd values, and it must answer
 * every one with a valid config or a clear ConfigError, never another
 * exception, and promptly. Edge cases the properties found are kept below as
 * minimal reproductions, each asserting the answer it must give.
 *
 * Every property runs a bounded number of times from a fixed seed, so a failure
 * reproduces; fast-check prints the seed and the shrunk counterexample.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { stringify } from "yaml";
import type { ConfigError } from "../../src/config/error.ts";
import { parseConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/resolve.ts";
import { CHECK_NAME_PATTERN, MAX_DURATION_MS } from "../../src/config/schema.ts";
import { GROUPS } from "../../src/types.ts";
import { assertClearConfigError } from "../_helpers/config.ts";
import { ROOT } from "../_helpers/files.ts";
import { SEED } from "../_helpers/fuzz.ts";

const FILE = "fuzz.yaml";

/** Runs a property with the file's fixed seed and the given number of runs. */
function check<T>(property: fc.IProperty<T>, numRuns: number): void {
  fc.assert(property, { seed: SEED, numRuns });
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
    assertClearConfigError(error, FILE);
  }
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2000, `parseConfig took ${Math.round(elapsed)} ms`);
  if (config) assertConfigInvariants(config);
}

/**
 * Parses `text` and asserts that the loader rejects it, promptly, with a clear
 * ConfigError (a valid config fails the assertion); returns the error.
 */
function loaderRejectsClearly(text: string): ConfigError {
  const started = performance.now();
  let caught: unknown;
  try {
    parseConfig(text, FILE, {});
  } catch (error) {
    caught = error;
  }
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2000, `parseConfig took ${Math.round(elapsed)} ms`);
  assert.ok(caught !== undefined, `expected a ConfigError, but this config loaded:\n${text}`);
  assertClearConfigError(caught, FILE);
  return caught as ConfigError;
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

const EXAMPLE = readFileSync(`${ROOT}config.example.yaml`, "utf8");

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
      assertClearConfigError(error, FILE);
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
    const error = loaderRejectsClearly(text);
    assert.match(error.message, /an alias refers to its own anchor/, text);
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
    const error = loaderRejectsClearly(text);
    // The head line, then exactly one line per problem: no problem spills onto a second line.
    assert.equal(error.message.split("\n").length, 1 + error.problems.length, error.message);
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
  assertClearConfigError(error, FILE);
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
