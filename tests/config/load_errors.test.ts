/**
 * Invalid configs (src/config/load.ts with the schema of src/config/schema.ts):
 * every kind of bad input is reported as a {@link ConfigError} whose problems
 * carry the key path, line and column and say what was expected and what was
 * got. Most cases are rows of one table, each run as its own test; the few
 * whose assertions do not fit a row follow it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, type ConfigProblem } from "../../src/config/error.ts";
import { parseConfig } from "../../src/config/load.ts";
import { ONE_TCP_CHECK } from "../_helpers/config.ts";

const FILE = "vitals.yaml";

/** Parses `text`, expecting it to fail, and returns the ConfigError. */
function invalid(text: string, env: Readonly<Record<string, string>> = {}): ConfigError {
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

/** Text as a case expects it: exactly this string, or matching every one of these patterns. */
type ExpectedText = string | readonly RegExp[];

/** What one problem must be; only the fields given are checked. */
interface ExpectedProblem {
  /** Its key path (`undefined`: it has none). */
  readonly path?: string | undefined;
  /** Its line (`undefined`: it has none). */
  readonly line?: number | undefined;
  readonly column?: number;
  readonly message?: ExpectedText;
  /** Patterns the message must not match. */
  readonly not?: readonly RegExp[];
}

/** One bad config and what its ConfigError must say. */
interface ConfigErrorCase {
  /** The test's name. */
  readonly name: string;
  readonly yaml: string;
  /** The environment `${VAR}` references expand from (empty unless given). */
  readonly env?: Readonly<Record<string, string>>;
  readonly expected: {
    /** Every problem, in order: exactly these many. */
    readonly problems?: readonly ExpectedProblem[];
    /** A problem that must be among them, when the others do not matter. */
    readonly someProblem?: ExpectedProblem;
    /** The whole message of the error. */
    readonly message?: ExpectedText;
  };
}

function assertText(actual: string, expected: ExpectedText, what: string): void {
  if (typeof expected === "string") assert.equal(actual, expected, what);
  else for (const pattern of expected) assert.match(actual, pattern, what);
}

function assertProblem(problem: ConfigProblem, expected: ExpectedProblem, where: string): void {
  if ("path" in expected) assert.equal(problem.path, expected.path, `${where}: path`);
  if ("line" in expected) assert.equal(problem.line, expected.line, `${where}: line`);
  if ("column" in expected) assert.equal(problem.column, expected.column, `${where}: column`);
  if (expected.message !== undefined) {
    assertText(problem.message, expected.message, `${where}: message`);
  }
  for (const pattern of expected.not ?? []) {
    assert.doesNotMatch(problem.message, pattern, `${where}: message`);
  }
}

/** Whether `problem` is what `expected` describes. */
function isProblem(problem: ConfigProblem, expected: ExpectedProblem): boolean {
  try {
    assertProblem(problem, expected, "");
    return true;
  } catch {
    return false;
  }
}

/** Escapes `text` for use inside a RegExp. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

const CASES: readonly ConfigErrorCase[] = [
  {
    name: "a boolean variable other than true or false is rejected with the value it got",
    yaml: `${ONE_TCP_CHECK}    critical: \${CRIT}\n`,
    env: { CRIT: "yes" },
    expected: {
      problems: [{
        path: "checks[0].critical",
        line: 5,
        message: 'expected true or false, got "yes"',
      }],
    },
  },
  {
    name: "a key given twice in one mapping is a YAML error",
    yaml: `checks:
  - name: db
    name: db2
    type: tcp
    port: 5432
`,
    expected: {
      problems: [{
        line: 3,
        column: 5,
        message: 'YAML syntax error: the key "name" is given twice in one mapping',
      }],
    },
  },
  {
    name: "a non-integer port is reported with its key path, line and the value it got",
    yaml: `checks:
  - name: db
    type: tcp
    port: abc
`,
    expected: {
      problems: [{
        path: "checks[0].port",
        line: 4,
        column: 11,
        message: [/expected an integer from 1 to 65535, got "abc"/],
      }],
      message: `Invalid config "vitals.yaml" (1 problem):\n` +
        `  vitals.yaml:4:11: checks[0].port: expected an integer from 1 to 65535, got "abc"`,
    },
  },
  {
    name: "a port out of range is rejected",
    yaml: `checks:
  - name: db
    type: tcp
    port: 70000
`,
    expected: {
      problems: [{
        path: "checks[0].port",
        line: 4,
        message: "expected an integer from 1 to 65535, got 70000",
      }],
    },
  },
  {
    name: "an unknown top-level key is reported at the key itself",
    yaml: `servr:
  port: 9000
${ONE_TCP_CHECK}`,
    expected: {
      problems: [{ path: "servr", line: 1, column: 1, message: [/unknown key "servr"/] }],
    },
  },
  {
    name: "an unknown key inside a check is reported at the key itself",
    yaml: `checks:
  - name: db
    type: tcp
    port: 5432
    hots: db.internal
`,
    expected: {
      problems: [{ path: "checks[0].hots", line: 5, column: 5, message: [/unknown key "hots"/] }],
      message: [/vitals\.yaml:5:5: checks\[0\]\.hots: unknown key/],
    },
  },
  {
    name: "a duplicate check name is reported even when another check is also invalid",
    yaml: `checks:
  - name: db
    type: tcp
    port: 5432
  - name: db
    type: tcp
    port: 70000
`,
    expected: {
      problems: [
        {
          path: "checks[1].name",
          line: 5,
          // ... and it names the first check using the name.
          message: [/duplicate check name "db"/, /checks\[0\]/],
        },
        { path: "checks[1].port", line: 7 },
      ],
      message: [/^Invalid config "vitals\.yaml" \(2 problems\):/],
    },
  },
  {
    name: "an unset ${VAR} is reported with its key path and line",
    yaml: `checks:
  - name: db
    type: tcp
    host: \${NOPE}
    port: 5432
`,
    expected: {
      problems: [{
        path: "checks[0].host",
        line: 4,
        // ... and it suggests the fallback syntax.
        message: [/environment variable "NOPE" is not set/, /\$\{NOPE:-default\}/],
      }],
      message: [/NOPE/],
    },
  },
  {
    name: "a value emptied by an unset variable is reported once, not again as invalid",
    yaml: `checks:
  - name: db
    type: tcp
    port: \${NOPE}
`,
    expected: {
      problems: [{ path: "checks[0].port", message: [/"NOPE"/], not: [/integer/] }],
    },
  },
  {
    name: "a bad duration is rejected with a hint and the value it got",
    yaml: `cache:
  ttl: 5x
${ONE_TCP_CHECK}`,
    expected: {
      problems: [{
        path: "cache.ttl",
        line: 2,
        message: [/expected a duration such as 250ms/, /got "5x"$/],
      }],
    },
  },
  {
    name: "a duration written as a bare number is refused, showing both of its readings",
    yaml: `${ONE_TCP_CHECK}    timeout: 5\n`,
    expected: {
      problems: [{
        path: "checks[0].timeout",
        line: 5,
        column: 14,
        message: "expected a duration with a unit: write 5s or 5ms",
      }],
      message: `Invalid config "vitals.yaml" (1 problem):\n` +
        `  vitals.yaml:5:14: checks[0].timeout: expected a duration with a unit: write 5s or 5ms`,
    },
  },
  {
    name: "a bare number of 1000 or more is read as milliseconds first",
    yaml: `cache:\n  ttl: 30000\n${ONE_TCP_CHECK}`,
    expected: {
      problems: [{
        path: "cache.ttl",
        line: 2,
        message: "expected a duration with a unit: write 30000ms or 30000s",
      }],
    },
  },
  {
    name: "a fractional bare number is refused with both readings too",
    yaml: `cache:\n  ttl: 1.5\n${ONE_TCP_CHECK}`,
    expected: {
      problems: [{
        path: "cache.ttl",
        message: "expected a duration with a unit: write 1.5s or 1.5ms",
      }],
    },
  },
  {
    name: "a bare number from a variable is refused as a bare number in the file is",
    yaml: `server:\n  drainDelay: \${DRAIN}\n${ONE_TCP_CHECK}`,
    env: { DRAIN: "10" },
    expected: {
      problems: [{
        path: "server.drainDelay",
        line: 2,
        message: 'expected a duration with a unit: write 10s or 10ms, got "10"',
      }],
    },
  },
  {
    name: "a negative bare number is refused for its sign",
    yaml: `server:\n  drainDelay: -5\n${ONE_TCP_CHECK}`,
    expected: {
      problems: [{
        path: "server.drainDelay",
        message: "expected a duration such as 250ms, 5s, 1m30s or 1h, without a sign",
      }],
    },
  },
  {
    name: "a duration longer than a timer can hold (24.8 days) is rejected, not fired at once",
    yaml: `defaults:\n  timeout: 600h\n${ONE_TCP_CHECK}`,
    expected: { problems: [{ path: "defaults.timeout", message: [/at most 24 days/] }] },
  },
  {
    name: "an unknown check type lists the known types",
    yaml: `checks:
  - name: db
    type: ftp
    port: 21
`,
    expected: {
      problems: [{
        path: "checks[0].type",
        line: 3,
        message:
          'expected one of "command", "tcp", "http", "tabbyapi", "file", "grpc", "llm", got "ftp"',
      }],
    },
  },
  {
    name: "a missing required key is reported at the check that lacks it",
    yaml: `checks:
  - name: db
    type: tcp
`,
    expected: {
      // Line 2: the start of the check.
      problems: [{ path: "checks[0].port", line: 2, message: "required key is missing" }],
    },
  },
  {
    name: "a config without a checks key says the key is missing",
    yaml: "server:\n  port: 9000\n",
    expected: { problems: [{ path: "checks", message: "required key is missing" }] },
  },
  {
    name: "HEAD with bodyContains is rejected because a HEAD response has no body",
    yaml: `checks:
  - name: web
    type: http
    url: http://localhost/
    method: HEAD
    bodyContains: ok
`,
    expected: {
      problems: [{ path: "checks[0].bodyContains", line: 6, message: [/HEAD/, /bodyContains/] }],
    },
  },
  {
    name: "a method other than GET, HEAD or POST is rejected",
    yaml: `checks:
  - name: web
    type: http
    url: http://localhost/
    method: PUT
`,
    expected: {
      problems: [{
        path: "checks[0].method",
        message: 'expected one of "GET", "HEAD", "POST", got "PUT"',
      }],
    },
  },
  {
    name: "a non-http URL is rejected",
    yaml: `checks:
  - name: web
    type: http
    url: ftp://example.com/
`,
    expected: {
      problems: [{
        path: "checks[0].url",
        line: 4,
        message: 'expected an http:// or https:// URL, got "ftp://example.com/"',
      }],
    },
  },
  {
    name: "a command given as a string instead of a list is rejected with an example",
    yaml: `checks:
  - name: app
    type: command
    command: pgrep -x myapp
`,
    expected: {
      problems: [{
        path: "checks[0].command",
        line: 4,
        message: [/expected a list of program and arguments/, /got "pgrep -x myapp"$/],
      }],
    },
  },
  {
    name: "an empty command list is rejected",
    yaml: `checks:
  - name: app
    type: command
    command: []
`,
    expected: {
      problems: [{ path: "checks[0].command", message: "expected at least the program to run" }],
    },
  },
  ...["", "\n", "# only a comment\n"].map((yaml): ConfigErrorCase => ({
    name: `an empty file is rejected as empty: ${JSON.stringify(yaml)}`,
    yaml,
    expected: {
      problems: [{
        line: undefined,
        message: "the file is empty: it needs at least a checks list",
      }],
      message: 'Invalid config "vitals.yaml" (1 problem):\n' +
        "  vitals.yaml: the file is empty: it needs at least a checks list",
    },
  })),
  {
    name: "a top-level scalar is rejected as not a mapping",
    yaml: "hello\n",
    expected: {
      problems: [{ line: 1, message: 'expected a mapping with a checks list, got "hello"' }],
    },
  },
  {
    name: "a top-level list is rejected as not a mapping",
    yaml: "- name: db\n  type: tcp\n",
    expected: { problems: [{ message: "expected a mapping with a checks list, got a list" }] },
  },
  {
    name: "an empty checks list is rejected",
    yaml: "checks: []\n",
    expected: { problems: [{ path: "checks", line: 1, message: "expected at least one check" }] },
  },
  {
    name: "a checks key with no value is rejected",
    yaml: "checks:\n",
    expected: {
      problems: [{
        path: "checks",
        message: "expected a list of checks, got null (an empty value)",
      }],
    },
  },
  ...["my db", "db/primary", "db:1"].map((name): ConfigErrorCase => ({
    name: `a check name with a space or other punctuation is rejected: ${JSON.stringify(name)}`,
    yaml: `checks:
  - name: "${name}"
    type: tcp
    port: 5432
`,
    expected: {
      problems: [{
        path: "checks[0].name",
        line: 2,
        message: [
          /expected a name of letters, digits/,
          new RegExp(`got ${literal(JSON.stringify(name))}$`),
        ],
      }],
    },
  })),
  {
    name: "a header whose key needs quoting is shown with a bracketed key path",
    yaml: `checks:
  - name: web
    type: http
    url: http://localhost/
    headers:
      X-Probe: \${NOPE}
`,
    expected: { problems: [{ path: 'checks[0].headers["X-Probe"]', line: 6 }] },
  },
  {
    name: "an unresolved YAML alias is a ConfigError, not a crash",
    yaml: "checks:\n  - *nope\n",
    expected: { message: [/YAML error: Unresolved alias/] },
  },
  {
    name: "a __proto__ key is reported as unknown, not swallowed",
    yaml: `__proto__:\n  checks:\n    - {name: db, type: tcp, port: 5432}\n`,
    expected: { someProblem: { path: "__proto__", message: [/unknown key/] } },
  },
];

for (const { name, yaml, env, expected } of CASES) {
  test(name, () => {
    const error = invalid(yaml, env);
    if (expected.problems !== undefined) {
      assert.equal(
        error.problems.length,
        expected.problems.length,
        `expected ${expected.problems.length} problem(s), got:\n${error.message}`,
      );
      expected.problems.forEach((problem, i) => {
        assertProblem(error.problems[i]!, problem, `problem ${i + 1} of:\n${error.message}`);
      });
    }
    if (expected.someProblem !== undefined) {
      const wanted = expected.someProblem;
      assert.ok(
        error.problems.some((problem) => isProblem(problem, wanted)),
        `no problem like ${JSON.stringify(wanted)} in:\n${error.message}`,
      );
    }
    if (expected.message !== undefined) assertText(error.message, expected.message, "message");
  });
}

// Cases whose assertions do not fit a row.

test("a cache ttl of 0 is allowed (no caching) but a timeout of 0 is not", () => {
  const config = parseConfig(`cache:\n  ttl: 0\n${ONE_TCP_CHECK}`, FILE, {});
  assert.equal(config.cache.ttl, 0);
  const fromVariable = parseConfig(`cache:\n  ttl: \${TTL}\n${ONE_TCP_CHECK}`, FILE, { TTL: "0" });
  assert.equal(fromVariable.cache.ttl, 0, "0 needs no unit as text either");

  const problem = onlyProblem(invalid(`defaults:\n  timeout: 0\n${ONE_TCP_CHECK}`));
  assert.equal(problem.path, "defaults.timeout");
  assert.equal(problem.line, 2);
  assert.match(problem.message, /above 0 and at most 24 days, got 0$/);
});

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
    method: PUT
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
