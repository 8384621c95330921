// `${VAR}` expansion in the config (src/config/env_expand.ts): expandString's
// defaults, escapes and missing variables, and expandEnv over nested values,
// reporting the key path of each missing variable; through parseConfig
// (src/config/load.ts), every `${` of no supported form is an error naming its
// key path and quoting it, and `$${` still writes a literal `${`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { expandEnv, expandString, type MissingVariable } from "../../src/config/env_expand.ts";
import { ConfigError } from "../../src/config/error.ts";
import { parseConfig } from "../../src/config/load.ts";

// ---------------------------------------------------------------------------
// expandString

test("expandString replaces ${VAR} with its value", () => {
  const missing: string[] = [];
  assert.equal(expandString("host=${HOST}", { HOST: "db" }, missing), "host=db");
  assert.equal(expandString("${A}${B}", { A: "1", B: "2" }, missing), "12");
  assert.deepEqual(missing, []);
});

test("expandString uses the default when the variable is unset", () => {
  const missing: string[] = [];
  assert.equal(expandString("${HOST:-localhost}:${PORT}", { PORT: "80" }, missing), "localhost:80");
  assert.deepEqual(missing, [], "a reference with a default is never missing");
});

test("expandString uses the default when the variable is empty", () => {
  const missing: string[] = [];
  assert.equal(expandString("${HOST:-localhost}", { HOST: "" }, missing), "localhost");
  assert.deepEqual(missing, []);
});

test("expandString prefers a set variable over the default", () => {
  assert.equal(expandString("${HOST:-localhost}", { HOST: "db" }, []), "db");
});

test("expandString allows an empty default", () => {
  const missing: string[] = [];
  assert.equal(expandString("${TABBY_API_KEY:-}", {}, missing), "");
  assert.deepEqual(missing, []);
});

test("expandString keeps an empty but set ${VAR} as empty without reporting it", () => {
  const missing: string[] = [];
  assert.equal(expandString("[${EMPTY}]", { EMPTY: "" }, missing), "[]");
  assert.deepEqual(missing, []);
});

test("expandString writes $${ as a literal ${", () => {
  const missing: string[] = [];
  assert.equal(expandString("$${HOME}", { HOME: "/root" }, missing), "${HOME}");
  assert.equal(expandString("a $${NOPE} b", {}, missing), "a ${NOPE} b");
  assert.deepEqual(missing, [], "an escaped reference is not a missing variable");
});

test("expandString collects each unset variable and replaces it with nothing", () => {
  const missing: string[] = [];
  assert.equal(expandString("${A}-${SET}-${B}", { SET: "x" }, missing), "-x-");
  assert.deepEqual(missing, ["A", "B"]);
});

test("expandString appends to the missing array it is given", () => {
  const missing = ["EARLIER"];
  expandString("${LATER}", {}, missing);
  assert.deepEqual(missing, ["EARLIER", "LATER"]);
});

test("expandString leaves text that is not a ${NAME} reference alone", () => {
  const missing: string[] = [];
  for (const text of ["plain", "$HOME", "${1BAD}", "${}", "${UNCLOSED", "cost: $5"]) {
    assert.equal(expandString(text, { HOME: "/root" }, missing), text);
  }
  assert.deepEqual(missing, []);
});

test("expandString does not expand a value a second time", () => {
  assert.equal(expandString("${A}", { A: "${B}", B: "no" }, []), "${B}");
});

// ---------------------------------------------------------------------------
// expandEnv

test("expandEnv expands strings in nested objects and arrays", () => {
  const missing: MissingVariable[] = [];
  const input = {
    server: { host: "${HOST}" },
    checks: [
      { name: "a", command: ["echo", "${WORD:-hi}"] },
      { name: "b", headers: { Authorization: "Bearer ${TOKEN}" } },
    ],
  };
  const output = expandEnv(input, { HOST: "0.0.0.0", TOKEN: "t" }, missing);
  assert.deepEqual(output, {
    server: { host: "0.0.0.0" },
    checks: [
      { name: "a", command: ["echo", "hi"] },
      { name: "b", headers: { Authorization: "Bearer t" } },
    ],
  });
  assert.deepEqual(missing, []);
});

test("expandEnv reports the path of each missing variable", () => {
  const missing: MissingVariable[] = [];
  expandEnv(
    {
      server: { host: "${HOST}" },
      checks: [
        { name: "a", command: ["echo", "${WORD}"] },
        { name: "b", headers: { "X-Key": "${KEY}" } },
      ],
    },
    {},
    missing,
  );
  assert.deepEqual(missing, [
    { path: ["server", "host"], variable: "HOST" },
    { path: ["checks", 0, "command", 1], variable: "WORD" },
    { path: ["checks", 1, "headers", "X-Key"], variable: "KEY" },
  ]);
});

test("expandEnv reports a string at the top level with an empty path", () => {
  const missing: MissingVariable[] = [];
  assert.equal(expandEnv("${X}", {}, missing), "");
  assert.deepEqual(missing, [{ path: [], variable: "X" }]);
});

test("expandEnv does not expand mapping keys", () => {
  const missing: MissingVariable[] = [];
  const output = expandEnv({ "${KEY}": "${VALUE}" }, { KEY: "k", VALUE: "v" }, missing);
  assert.deepEqual(output, { "${KEY}": "v" });
  assert.deepEqual(missing, []);
});

test("expandEnv leaves numbers, booleans and null unchanged", () => {
  const missing: MissingVariable[] = [];
  const input = { port: 8080, critical: false, cwd: null, list: [1, true, null] };
  assert.deepEqual(expandEnv(input, {}, missing), input);
  assert.deepEqual(missing, []);
});

test("expandEnv returns a copy and leaves its input unchanged", () => {
  const input = { checks: [{ host: "${HOST}" }] };
  const output = expandEnv(input, { HOST: "db" }, []);
  assert.deepEqual(input, { checks: [{ host: "${HOST}" }] });
  assert.notEqual(output, input);
  assert.deepEqual(output, { checks: [{ host: "db" }] });
});

// ---------------------------------------------------------------------------
// Unsupported references, through parseConfig

/** A command check whose one argument is `argument` (YAML single-quoted). */
const commandWith = (argument: string) =>
  `checks:\n  - name: c\n    type: command\n    command: ["echo", '${argument}']\n`;

for (const reference of ["${X:-${Y}}", "${X:?e}", "${ X }", "${}", "${X"]) {
  test(`parseConfig rejects ${reference} naming the key path and quoting the reference`, () => {
    let caught: unknown;
    try {
      parseConfig(commandWith(`a ${reference}`), "t.yaml", { X: "x", Y: "y" });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
    assert.equal(caught.problems.length, 1, caught.message);
    const problem = caught.problems[0]!;
    assert.equal(problem.path, "checks[0].command[1]");
    assert.equal(problem.line, 4);
    // `${X:-${Y}}` is quoted up to the first "}", the end of what was taken as one reference.
    const quoted = reference === "${X:-${Y}}" ? "${X:-${Y}" : reference;
    assert.ok(
      problem.message.startsWith(`unsupported variable reference ${JSON.stringify(quoted)}: `),
      problem.message,
    );
    assert.match(caught.message, /t\.yaml:4:\d+: checks\[0\]\.command\[1\]: unsupported/);
  });
}

test("parseConfig still writes $${X} as a literal ${X}, next to a supported reference", () => {
  const config = parseConfig(commandWith("$${X} and ${X}"), "t.yaml", { X: "x" });
  const check = config.checks[0];
  assert.ok(check?.type === "command");
  assert.deepEqual(check.command, ["echo", "${X} and x"]);
});
