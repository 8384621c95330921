// `vitals validate` end to end (src/cli/validate.ts), with main.ts as a real
// child process: a valid config's check count, every problem of an invalid
// one with its line and key path, a YAML syntax error's excerpt.

import assert from "node:assert/strict";
import { test } from "node:test";
import { runWithConfig } from "../_helpers/processes.ts";

test("validate prints the check count and exits 0 for a valid config", async () => {
  const result = await runWithConfig(
    ["validate"],
    "ok.yaml",
    "checks:\n  - {name: a, type: tcp, port: 1}\n  - {name: b, type: tcp, port: 2}\n",
  );
  assert.equal(result.code, 0);
  assert.equal(result.stdout.trim(), `config OK: 2 checks in "${result.path}"`);
});

test("validate exits 2 naming the line and key path of every problem, with no stack trace", async () => {
  const result = await runWithConfig(
    ["validate"],
    "bad.yaml",
    "checks:\n  - name: db\n    type: tcp\n    port: abc\n  - {name: x, type: htp}\n",
  );
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /bad\.yaml:4:11: checks\[0\]\.port: expected an integer from 1 to 65535, got "abc"/,
  );
  assert.match(result.stderr, /checks\[1\]\.type: expected one of/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
});

test("validate shows a YAML syntax error's line with a caret under the column, and exits 2", async () => {
  const result = await runWithConfig(
    ["validate"],
    "indent.yaml",
    "server:\n  port: 8080\n   maxWait: 1s\nchecks:\n  - {name: a, type: tcp, port: 1}\n",
  );
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    `Invalid config "${result.path}" (1 problem):\n` +
      `  ${result.path}:3:4: YAML syntax error: bad indentation: ` +
      "this line is indented more than the key above it, which has a value already\n" +
      "    3 |    maxWait: 1s\n" +
      "      |    ^\n",
  );
});

test("validate rejects a bare-number duration, then a missing cwd, naming key and line", async () => {
  const bare = await runWithConfig(
    ["validate"],
    "bare.yaml",
    'checks:\n  - name: app\n    type: command\n    command: ["true"]\n    timeout: 5\n',
  );
  assert.equal(bare.code, 2);
  assert.equal(
    bare.stderr,
    `Invalid config "${bare.path}" (1 problem):\n` +
      `  ${bare.path}:5:14: checks[0].timeout: expected a duration with a unit: write 5s or 5ms\n`,
  );
  const cwd = await runWithConfig(
    ["validate"],
    "cwd.yaml",
    'checks:\n  - {name: job, type: command, command: ["true"], cwd: /nonexistent-vitals-dir}\n',
  );
  assert.equal(cwd.code, 2);
  assert.equal(
    cwd.stderr,
    `Invalid config "${cwd.path}" (1 problem):\n` +
      `  ${cwd.path}:2:56: checks[0].cwd: directory "/nonexistent-vitals-dir" does not exist\n`,
  );
});
