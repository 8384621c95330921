// The assembled app (src/app/create_app.ts): the status-change log line
// (describeTransition, over statuses built by the real summarize()), and the
// JSON log lines a real app writes once per state change, not once per probe.

import assert from "node:assert/strict";
import { test } from "node:test";
import { describeTransition } from "../../src/app/create_app.ts";
import { flippable } from "../_helpers/apps.ts";
import { STAMP } from "../_helpers/clock.ts";
import { aggregate, result } from "../_helpers/health.ts";
import { get } from "../_helpers/http.ts";

test("describeTransition reports the first status with its check count and details", () => {
  const up = aggregate([result("db", "UP", "ok"), result("cache", "UP", "ok")], STAMP, 1);
  assert.equal(describeTransition(up, undefined), "status UP (2 checks)");
  const down = aggregate([result("db", "DOWN", "refused")], STAMP, 1);
  assert.equal(describeTransition(down, undefined), "status DOWN (1 check): db: refused");
});

test("describeTransition reports UP -> DOWN with every detail and DOWN -> UP without", () => {
  const up = aggregate([result("db", "UP", "ok"), result("redis", "UP", "ok")], STAMP, 1);
  const down = aggregate(
    [result("db", "DOWN", "refused"), result("redis", "DOWN", "cannot connect")],
    STAMP,
    2,
  );
  assert.equal(describeTransition(down, up), "UP -> DOWN: db: refused; redis: cannot connect");
  assert.equal(describeTransition(up, down), "DOWN -> UP");
});

test("describeTransition returns undefined when the status did not change", () => {
  const up = aggregate([result("db", "UP", "ok")], STAMP, 1);
  const upAgain = aggregate([result("db", "UP", "still ok")], STAMP, 2);
  assert.equal(describeTransition(upAgain, up), undefined);
  const down = aggregate([result("db", "DOWN", "refused")], STAMP, 1);
  const downAgain = aggregate([result("db", "DOWN", "timed out")], STAMP, 2);
  assert.equal(describeTransition(downAgain, down), undefined);
});

test("JSON log lines parse and appear once per state change, not once per probe", async () => {
  const { app, lines, open, close } = await flippable();
  for (let i = 0; i < 3; i++) await get(app, "/health");
  await open();
  for (let i = 0; i < 3; i++) await get(app, "/health/ready");
  await close();
  for (let i = 0; i < 3; i++) await get(app, "/health");
  const entries = lines.map((line) => JSON.parse(line));
  for (const entry of entries) {
    assert.equal(typeof entry.time, "string");
    assert.ok(["info", "warn", "error"].includes(entry.level), entry.level);
    assert.equal(typeof entry.msg, "string");
  }
  const gate = entries.filter((e) => e.check === "gate").map((e) => `${e.level} ${e.msg}`);
  assert.equal(gate.length, 3, `one line per gate change: ${gate.join(" | ")}`);
  assert.match(gate[0]!, /^warn check gate DOWN: exit code 3/);
  assert.match(gate[1]!, /^info check gate UP again/);
  assert.match(gate[2]!, /^warn check gate DOWN/);
  const status = entries.filter((e) => e.status !== undefined).map((e) => e.msg);
  assert.equal(status.length, 3, `first status and two changes: ${status.join(" | ")}`);
  assert.match(status[1]!, /^DOWN -> UP/);
  app.health.close();
});
