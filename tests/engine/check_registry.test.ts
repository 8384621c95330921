// The check registry (src/engine/check_registry.ts), seen through Health and
// the HTTP handler: a reload keeps the state of a check whose definition (key)
// is unchanged and starts a changed one afresh, runs new checks before the
// switch, and joins a check's running run instead of starting a second one.
// Its entries are new objects only for the checks whose state changed.

import assert from "node:assert/strict";
import { test } from "node:test";
import { CheckRegistry } from "../../src/engine/check_registry.ts";
import { controlled, REFUSED } from "../_helpers/checks.ts";
import { ManualClock } from "../_helpers/clock.ts";
import { onDemand, TTL } from "../_helpers/health.ts";
import { entryAt, fetchFull, get, namesAt } from "../_helpers/http.ts";
import { gate } from "../_helpers/waits.ts";

test("reload keeps an unchanged check's counters and runs a new check before the swap", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { key: "db-v1", failureThreshold: 3 });
  const { health, handler } = onDemand([db.check], clock);
  await get(handler, "/health");
  db.state.outcome = REFUSED;
  clock.advance(TTL);
  const before = await entryAt(handler, "/health", "db");
  assert.deepEqual([before.status, before.lastOutcome, before.consecutiveFailures], [
    "UP",
    "DOWN",
    1,
  ]);

  // The same definition (same key) as a new object, plus a new slow check.
  const db2 = controlled("db", clock, { key: "db-v1", failureThreshold: 3 });
  db2.state.outcome = REFUSED;
  const cache = controlled("cache", clock, { key: "cache-v1" });
  cache.state.outcome = { status: "UP", message: "cache fine" };
  const hold = gate();
  cache.state.gate = hold.promise;
  const evaluations = health.evaluations;
  const reloading = health.reload([db2.check, cache.check], { ttl: TTL, poolSize: 4 });
  await Promise.resolve();
  assert.equal(cache.state.runs, 1, "the new check runs before the swap");
  assert.deepEqual(
    await namesAt(handler, "/health"),
    ["db"],
    "until it finishes, requests see the old config",
  );
  hold.open();
  await reloading;
  assert.equal(health.evaluations, evaluations + 1, "the reload published once");

  const after = await fetchFull(handler, "/health");
  assert.equal(health.evaluations, evaluations + 1, "the first status after reload needs no run");
  assert.deepEqual(after.body.checks.map((c) => c.name), ["db", "cache"]);
  const cacheEntry = after.body.checks[1]!;
  assert.equal(cacheEntry.status, "UP");
  assert.equal(cacheEntry.message, "cache fine");
  const kept = after.body.checks[0]!;
  assert.equal(kept.consecutiveFailures, 1, "the counters survived the reload");
  assert.equal(db2.state.runs, 0, "an unchanged check that is not due is not re-run");

  // A second failure is the 2nd of 3, not a first result: still counted UP.
  clock.advance(TTL);
  const next = await entryAt(handler, "/health", "db");
  assert.equal(db2.state.runs, 1);
  assert.equal(db.state.runs, 2, "the old check object is no longer run");
  assert.deepEqual([next.status, next.lastOutcome, next.consecutiveFailures], ["UP", "DOWN", 2]);
  clock.advance(TTL);
  const third = await fetchFull(handler, "/health");
  assert.equal(third.code, 503);
  assert.equal(third.body.checks[0]!.consecutiveFailures, 3);
  assert.equal(cache.state.runs, 3);
});

test("reload starts a check whose key changed afresh: its first result counts at once", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { key: "db-v1", failureThreshold: 3 });
  const { health, handler } = onDemand([db.check], clock);
  await get(handler, "/health");
  const moved = controlled("db", clock, { key: "db-v2", failureThreshold: 3 });
  moved.state.outcome = REFUSED;
  await health.reload([moved.check], { ttl: TTL, poolSize: 4 });
  assert.equal(moved.state.runs, 1, "a changed check runs before the swap");
  const { code, body } = await fetchFull(handler, "/health");
  assert.equal(code, 503, "no damping carried over from the old definition");
  assert.equal(body.checks[0]!.consecutiveFailures, 1);
  assert.equal(body.checks[0]!.consecutiveSuccesses, 0);
});

test("a reload while a check is running joins that run instead of starting a second one", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { key: "db" });
  const hold = gate();
  db.state.gate = hold.promise;
  const { health } = onDemand([db.check], clock);
  const evaluation = health.evaluate();
  await Promise.resolve();
  assert.equal(db.state.runs, 1);
  const reloading = health.reload([db.check], { ttl: TTL, poolSize: 4 });
  await Promise.resolve();
  assert.equal(db.state.runs, 1, "the reload waits on the running check");
  hold.open();
  const [, reloaded] = await Promise.all([evaluation, reloading]);
  assert.equal(db.state.runs, 1);
  assert.equal(reloaded.status, "UP");
  assert.equal(reloaded.checks[0]!.consecutiveSuccesses, 1, "one run counted once");
});

test("entries reuse the frozen entry of every check whose state has not changed", async () => {
  const clock = new ManualClock();
  const checks = ["a", "b", "c"].map((name) => controlled(name, clock));
  const registry = new CheckRegistry({ checks: checks.map((c) => c.check), poolSize: 2, clock });
  const signal = new AbortController().signal;
  await registry.run(registry.slots, signal);
  const first = registry.entries();
  assert.ok(first.every((entry) => Object.isFrozen(entry)));

  checks[1]!.state.outcome = REFUSED;
  await registry.run([registry.slots[1]!], signal);
  const second = registry.entries();
  assert.equal(second[0], first[0], "an unchanged check is the same object");
  assert.equal(second[2], first[2], "an unchanged check is the same object");
  assert.notEqual(second[1], first[1], "the check that ran is a new entry");
  assert.equal(second[1]!.state.view?.status, "DOWN");
  assert.equal(first[1]!.state.view?.status, "UP", "the old entry is left as it was");
});
