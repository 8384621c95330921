// `vitals validate` end to end (src/cli/validate.ts), with main.ts as a real
// child process: a valid config's check count, and every problem of an
// invalid one with its line and key path.

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
