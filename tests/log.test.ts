// Log lines (src/log.ts): the levels (debug adds a line per evaluation of a
// real app, quiet keeps only errors) and the text and JSON line formats; a
// message that tries to forge a line stays on one line in text and round-trips
// unchanged in JSON.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createApp } from "../src/app/create_app.ts";
import { parseConfig } from "../src/config/load.ts";
import { createLogger, formatLine } from "../src/log.ts";
import { get } from "./_helpers/http.ts";
import { platform } from "./_helpers/platform.ts";
import { FORGED_ESCAPED, FORGED_MESSAGE, hasRawControl } from "./_helpers/text.ts";

test("debug level adds one line per evaluation; quiet keeps only errors", async () => {
  const debug: string[] = [];
  const quiet: string[] = [];
  const yaml = 'cache:\n  ttl: 0\nchecks:\n  - {name: a, type: command, command: ["false"]}\n';
  const config = parseConfig(yaml, "log.yaml", {});
  for (const [lines, level] of [[debug, "debug"], [quiet, "quiet"]] as const) {
    const log = createLogger({ format: "json", level, write: (line) => lines.push(line) });
    const app = createApp(config, { platform, log });
    for (let i = 0; i < 3; i++) await get(app, "/health");
    log.error("boom");
    app.health.close();
  }
  assert.equal(debug.filter((line) => JSON.parse(line).msg === "evaluated").length, 3);
  assert.deepEqual(quiet.map((line) => JSON.parse(line).msg), ["boom"]);
});

test("text log lines carry fields as key=value, quoting values with spaces", () => {
  const time = new Date("2026-11-21T11:24:41.342Z");
  assert.equal(
    formatLine("text", time, "warn", "check db DOWN", { check: "db", note: "two words" }),
    '2026-11-21T11:24:41.342Z WARN check db DOWN check=db note="two words"',
  );
  assert.deepEqual(JSON.parse(formatLine("json", time, "info", "hi", { n: 1, skip: undefined })), {
    time: "2026-11-21T11:24:41.342Z",
    level: "info",
    msg: "hi",
    n: 1,
  });
});

test("a text log line shows a forged line and ESC sequences escaped, on one line", () => {
  const lines: string[] = [];
  const log = createLogger({
    format: "text",
    write: (line) => lines.push(line),
    now: () => new Date("2026-11-21T11:24:41.342Z"),
  });
  log.warn(`check db DOWN: ${FORGED_MESSAGE}`, { check: "db", output: "a\nb\u001b[2J" });
  assert.equal(lines.length, 1);
  const [line = ""] = lines;
  assert.ok(!hasRawControl(line), JSON.stringify(line));
  assert.equal(
    line,
    `2026-11-21T11:24:41.342Z WARN check db DOWN: ${FORGED_ESCAPED} check=db ` +
      'output="a\\nb\\u001b[2J"',
  );
  assert.ok(line.includes("\\n2026-01-01T00:00:00.000Z ERROR forged\\u001b[31m"));
});

test("a JSON log line carries a forged message unchanged, and parses back to it", () => {
  const time = new Date("2026-11-21T11:24:41.342Z");
  const line = formatLine("json", time, "error", FORGED_MESSAGE, { output: "a\nb\u001b" });
  assert.ok(!hasRawControl(line), "JSON escapes line breaks and ESC itself");
  const parsed = JSON.parse(line);
  assert.equal(parsed.msg, FORGED_MESSAGE);
  assert.equal(parsed.output, "a\nb\u001b");
});
