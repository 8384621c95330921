// What `vitals check` prints (src/cli/check.ts's checkReport): the table that
// `?format=text` serves, unchanged, then below its status line each DOWN and
// WARN check's name and whole message, so a long reason cut in the table is
// there in full. The command itself, as a child process, is in
// tests/e2e/check.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkReport } from "../../src/cli/check.ts";
import { textTable } from "../../src/http/text_table.ts";
import type { RunResult } from "../../src/types.ts";
import { STAMP } from "../_helpers/clock.ts";
import { aggregate, result } from "../_helpers/health.ts";

const warn = (name: string, message: string): RunResult => ({
  ...result(name, "UP", message),
  status: "WARN",
});

test("check's report is the text table, then one line per DOWN and WARN check with its message", () => {
  const status = aggregate(
    [
      result("db", "UP", "connected"),
      result("redis", "DOWN", "cannot connect to 127.0.0.1:6379: connection refused"),
      warn("api", "HTTP 200, responded in 812 ms, over warnAfter 500ms"),
      result("cache", "DOWN", "timed out after 500 ms", false),
    ],
    STAMP,
    1,
  );
  const report = checkReport(status);
  const table = textTable(status);
  assert.ok(report.startsWith(`${table}\n`), "the table is the ?format=text body, byte for byte");
  assert.equal(
    report.slice(table.length),
    "\n  redis: cannot connect to 127.0.0.1:6379: connection refused" +
      "\n  api (WARN): HTTP 200, responded in 812 ms, over warnAfter 500ms" +
      "\n  cache: timed out after 500 ms",
  );
  assert.match(table, /\nstatus: DOWN \(4 checks at [^)]+\)$/);
});

test("check's report adds nothing below the table when every check is UP", () => {
  const status = aggregate([result("db", "UP", "connected")], STAMP, 1);
  assert.equal(checkReport(status), textTable(status));
});

test("check's report gives a long message whole, which the table cuts, on one line", () => {
  const long = `exit code 2: ${"x".repeat(300)}\nsecond line\u001b[31m`;
  const status = aggregate([result("job", "DOWN", long)], STAMP, 1);
  const report = checkReport(status);
  const lines = report.split("\n");
  assert.equal(lines.at(-1), `  job: exit code 2: ${"x".repeat(300)}\\nsecond line\\u001b[31m`);
  assert.ok(!textTable(status).includes("second line"), "the table cuts it at 160 characters");
});
