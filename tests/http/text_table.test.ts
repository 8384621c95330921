// The text table of `vitals check` and of the text body (src/http/text_table.ts),
// over statuses built by the real summarize(): aligned rows, long messages
// cut, and a message that tries to forge a line kept on its row.

import assert from "node:assert/strict";
import { test } from "node:test";
import { textTable } from "../../src/http/text_table.ts";
import { STAMP } from "../_helpers/clock.ts";
import { aggregate, result } from "../_helpers/health.ts";
import { FORGED_MESSAGE, hasRawControl } from "../_helpers/text.ts";

test("textTable prints a header, one aligned row per check and the overall status line", () => {
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
    textTable(status),
    [
      "STATUS  CHECK       TYPE      CRITICAL  DURATION  MESSAGE",
      "UP      db          tcp       yes       1.5ms     connected",
      "DOWN    llm-server  tabbyapi  no        12ms      no model loaded",
      "",
      `status: UP (2 checks at ${STAMP})`,
    ].join("\n"),
  );
});

test("textTable cuts long messages to 160 characters and reports DOWN", () => {
  const status = aggregate([result("db", "DOWN", "x".repeat(300))], STAMP, 1);
  const lines = textTable(status).split("\n");
  assert.equal(lines.length, 4);
  assert.ok(lines[1]!.endsWith(` ${"x".repeat(160)}`), lines[1]);
  assert.ok(!lines[1]!.includes("x".repeat(161)));
  assert.equal(lines[3], `status: DOWN (1 check at ${STAMP})`);
});

test("textTable keeps a message with a line break and ESC sequences on its own row", () => {
  const status = aggregate([result("db", "DOWN", FORGED_MESSAGE)], STAMP, 1);
  const lines = textTable(status).split("\n");
  assert.equal(lines.length, 4, lines.join("\n"));
  const row = lines[1] ?? "";
  assert.ok(!hasRawControl(row), JSON.stringify(row));
  // Whitespace, line breaks included, folds to one space; ESC is shown escaped.
  assert.ok(
    row.endsWith(" db down 2026-01-01T00:00:00.000Z ERROR forged\\u001b[31m red\\u001b[0m"),
    row,
  );
  assert.ok(!lines.some((line) => line.startsWith("2026-01-01")), "no forged line");
});
