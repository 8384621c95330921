// The text table of `vitals check` and of the text body (src/http/table.ts),
// over statuses built by the real summarize().

import assert from "node:assert/strict";
import { test } from "node:test";
import { formatTable } from "../src/http/table.ts";
import { aggregate, result, STAMP } from "./helpers.ts";

test("formatTable prints a header, one aligned row per check and the overall status line", () => {
  const status = aggregate(
    [
      result("db", "UP", "connected"),
      {
        ...result("llm-server", "DOWN", "no model\n  loaded", false),
        type: "tabbyapi",
        durationMs: 12,
      },
    ],
    STAMP,
    1,
  );
  assert.equal(
    formatTable(status),
    [
      "STATUS  CHECK       TYPE      CRITICAL  DURATION  MESSAGE",
      "UP      db          tcp       yes       1.5ms     connected",
      "DOWN    llm-server  tabbyapi  no        12ms      no model loaded",
      "",
      `status: UP (2 checks at ${STAMP})`,
    ].join("\n"),
  );
});

test("formatTable cuts long messages to 160 characters and reports DOWN", () => {
  const status = aggregate([result("db", "DOWN", "x".repeat(300))], STAMP, 1);
  const lines = formatTable(status).split("\n");
  assert.equal(lines.length, 4);
  assert.ok(lines[1]!.endsWith(` ${"x".repeat(160)}`), lines[1]);
  assert.ok(!lines[1]!.includes("x".repeat(161)));
  assert.equal(lines[3], `status: DOWN (1 check at ${STAMP})`);
});
