// Log lines (src/log.ts): the levels (debug adds a line per evaluation of a
// real app, quiet keeps only errors) and the text and JSON line formats.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createApp } from "../src/app/create_app.ts";
import { parseConfig } from "../src/config/load.ts";
import { createLogger, formatLine } from "../src/log.ts";
import { get, platform } from "./helpers.ts";

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
