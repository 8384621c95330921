// The maintenance switch (src/engine/maintenance.ts) and what it does to the
// statuses a Health serves (src/engine/summary.ts, publisher.ts): the reason
// and groups it accepts and refuses, its start on the injected clock, an
// update keeping the start, its listeners, each named scope answering DOWN
// with the reason first while the others keep their checks' status, the
// answer changing at once on a warm cache, and a reload keeping it.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DEFAULT_MAINTENANCE_SCOPES,
  Maintenance,
  type MaintenanceChange,
  maintenanceReason,
  maintenanceScopes,
  MAX_REASON_LENGTH,
} from "../../src/engine/maintenance.ts";
import { controlled, REFUSED } from "../_helpers/checks.ts";
import { ManualClock, STAMP } from "../_helpers/clock.ts";
import { onDemand } from "../_helpers/health.ts";

test("a reason is trimmed and kept; an empty, too long or control-character reason is refused", () => {
  assert.equal(maintenanceReason("  db migration\t"), "db migration");
  assert.equal(maintenanceReason("é".repeat(MAX_REASON_LENGTH)).length, MAX_REASON_LENGTH);
  assert.equal(maintenanceReason("🛠".repeat(MAX_REASON_LENGTH)), "🛠".repeat(MAX_REASON_LENGTH));
  assert.throws(() => maintenanceReason(""), {
    name: "RangeError",
    message: "Invalid maintenance reason: expected some text, got none",
  });
  assert.throws(() => maintenanceReason("   "), /expected some text, got none/);
  assert.throws(() => maintenanceReason("x".repeat(MAX_REASON_LENGTH + 1)), {
    message: `Invalid maintenance reason: expected at most 200 characters, got 201`,
  });
  for (
    const bad of ["a\nb", "a\rb", "a\u0000b", "a\u001b[31mb", "a\u007fb", "a\u0085b", "a\u2028b"]
  ) {
    assert.throws(
      () => maintenanceReason(bad),
      /control characters are not accepted/,
      JSON.stringify(bad),
    );
  }
});

test("the groups default to ready alone; live and all only when named; an unknown name is refused", () => {
  assert.deepEqual(maintenanceScopes([]), ["ready"]);
  assert.deepEqual(DEFAULT_MAINTENANCE_SCOPES, ["ready"]);
  assert.deepEqual(maintenanceScopes(["all", "started", "live", "ready", "live"]), [
    "live",
    "ready",
    "started",
    "all",
  ]);
  for (const bad of ["readiness", "READY", "", "health"]) {
    assert.throws(() => maintenanceScopes(["ready", bad]), {
      name: "RangeError",
      message: `Unknown group "${bad}": expected live, ready, started or all`,
    });
  }
});

test("turning it on stamps its start on the clock; an update keeps the start; off clears it", () => {
  const clock = new ManualClock();
  const maintenance = new Maintenance(clock);
  const changes: MaintenanceChange[] = [];
  maintenance.onChange((change) => changes.push(change));
  assert.deepEqual(maintenance.state, { on: false });
  assert.equal(maintenance.info, undefined);

  const on = maintenance.turnOn("db migration", [], "local");
  assert.deepEqual(on, { on: true, reason: "db migration", since: STAMP, groups: ["ready"] });
  assert.deepEqual(maintenance.info, { reason: "db migration", since: STAMP, groups: ["ready"] });
  assert.ok(maintenance.covers("ready"));
  for (const scope of ["live", "started", "all"] as const) assert.ok(!maintenance.covers(scope));

  clock.wall += 60_000;
  const updated = maintenance.turnOn("db migration, step 2", ["ready", "live"], "10.0.0.7");
  assert.deepEqual(updated, {
    on: true,
    reason: "db migration, step 2",
    since: STAMP,
    groups: ["live", "ready"],
  });
  // The same request again changes nothing and tells no one.
  maintenance.turnOn("db migration, step 2", ["live", "ready"], "local");
  assert.deepEqual(maintenance.turnOff("local"), { on: false });
  maintenance.turnOff("local");
  assert.deepEqual(changes.map(({ state, previous, by }) => [state.on, previous.on, by]), [
    [true, false, "local"],
    [true, true, "10.0.0.7"],
    [false, true, "local"],
  ]);

  const later = maintenance.turnOn("again", ["started"], "local");
  assert.equal(later.on && later.since, new Date(Date.parse(STAMP) + 60_000).toISOString());
});

test("a refused reason or group changes nothing and tells no one", () => {
  const maintenance = new Maintenance(new ManualClock());
  let told = 0;
  maintenance.onChange(() => told++);
  maintenance.turnOn("first", ["ready"], "local");
  assert.throws(() => maintenance.turnOn("", ["live"], "local"), RangeError);
  assert.throws(() => maintenance.turnOn("second", ["nope"], "local"), RangeError);
  assert.deepEqual(maintenance.info?.reason, "first");
  assert.deepEqual(maintenance.info?.groups, ["ready"]);
  assert.equal(told, 1);
});

test("a listener that throws neither undoes the switch nor keeps the next listener from hearing", () => {
  const maintenance = new Maintenance(new ManualClock());
  const heard: boolean[] = [];
  maintenance.onChange(() => {
    throw new Error("log write failed");
  });
  const stop = maintenance.onChange(({ state }) => heard.push(state.on));
  maintenance.turnOn("drain", [], "local");
  stop();
  maintenance.turnOff("local");
  assert.deepEqual(heard, [true]);
  assert.deepEqual(maintenance.state, { on: false });
});

test("while on, ready answers DOWN with the reason first and the switch in the status; live and /health keep their checks' status", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { groups: ["live", "ready"] });
  const { health } = onDemand([db.check], clock);
  await health.start();
  // Warm: these are the memoised summaries the switch must replace.
  assert.equal(health.peek("ready")?.status, "UP");
  assert.equal(health.peek("live")?.status, "UP");

  health.maintenance.turnOn("db migration", [], "local");
  const ready = health.peek("ready")!;
  assert.equal(ready.status, "DOWN");
  assert.deepEqual(ready.details, ["maintenance: db migration"]);
  assert.deepEqual(ready.maintenance, { reason: "db migration", since: STAMP, groups: ["ready"] });
  const live = health.peek("live")!;
  assert.equal(live.status, "UP");
  assert.deepEqual(live.details, []);
  assert.equal(live.maintenance?.reason, "db migration", "every scope shows the switch");
  assert.equal(health.peek("all")?.status, "UP");
  assert.equal(health.peek("started")?.status, "UP");
  assert.equal(db.state.runs, 1, "the switch runs no check");

  health.maintenance.turnOff("local");
  assert.equal(health.peek("ready")?.status, "UP");
  assert.equal(health.peek("ready")?.maintenance, undefined);
  health.close();
});

test("named explicitly, live and all go DOWN too; a DOWN check's detail follows the reason", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { groups: ["live", "ready"] });
  db.state.outcome = REFUSED;
  const { health } = onDemand([db.check], clock);
  await health.start();
  health.maintenance.turnOn("node drain", ["live", "all"], "local");
  const live = health.peek("live")!;
  assert.equal(live.status, "DOWN");
  assert.deepEqual(live.details, ["maintenance: node drain", "db: refused"]);
  assert.deepEqual(health.peek("all")?.details, ["maintenance: node drain", "db: refused"]);
  assert.deepEqual(health.peek("ready")?.details, ["db: refused"], "ready was not named");
  health.close();
});

test("before any result, a named scope already answers DOWN with the reason", () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { groups: ["live"] });
  const { health } = onDemand([db.check], clock);
  health.maintenance.turnOn("not yet", ["live"], "local");
  const live = health.published("live");
  assert.equal(live.status, "DOWN");
  assert.deepEqual(live.details, ["maintenance: not yet", "no result yet"]);
  health.close();
});

test("a reload keeps the switch on: it belongs to the Health, not to a config", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock);
  const { health } = onDemand([db.check], clock);
  await health.start();
  health.maintenance.turnOn("db migration", [], "local");
  const next = controlled("db2", clock);
  await health.reload([next.check], { ttl: 10_000, poolSize: 2 });
  const ready = await health.status("ready");
  assert.equal(ready.status, "DOWN");
  assert.deepEqual(ready.details, ["maintenance: db migration"]);
  assert.deepEqual(ready.checks.map((check) => check.name), ["db2"]);
  health.close();
});

test("while draining, ready says both: the reason, then shutting down", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock);
  const { health } = onDemand([db.check], clock);
  await health.start();
  health.maintenance.turnOn("db migration", [], "local");
  health.drain();
  assert.deepEqual(health.peek("ready")?.details, ["maintenance: db migration", "shutting down"]);
  health.close();
});

test("restore takes a saved state back with its start, validated as turnOn validates, and tells the listeners", () => {
  const maintenance = new Maintenance(new ManualClock());
  const changes: MaintenanceChange[] = [];
  maintenance.onChange((change) => changes.push(change));
  const since = "2026-01-02T03:04:05.000Z";
  const restored = maintenance.restore(
    { on: true, reason: " drain ", since, groups: ["ready", "live"] },
    'the file "/run/m.json"',
  );
  assert.deepEqual(restored, { on: true, reason: "drain", since, groups: ["live", "ready"] });
  assert.ok(maintenance.covers("live") && maintenance.covers("ready"));
  assert.deepEqual(changes.map(({ state, by }) => [state.on, by]), [[
    true,
    'the file "/run/m.json"',
  ]]);
  assert.throws(
    () => maintenance.restore({ on: true, reason: "x", since, groups: ["nope"] }, "file"),
    /Unknown group "nope"/,
  );
  assert.throws(
    () => maintenance.restore({ on: true, reason: "a\nb", since, groups: [] }, "file"),
    RangeError,
  );
  assert.equal(maintenance.info?.reason, "drain", "a refused state changes nothing");
  assert.deepEqual(maintenance.restore({ on: false }, "file"), { on: false });
  assert.equal(changes.length, 2);
});
