// Flap damping (recordResult in src/engine/check_state.ts), seen through
// Health and the HTTP handler: a check counts as DOWN only after
// failureThreshold consecutive failures and as UP again only after
// successThreshold consecutive successes, and its first result counts at once.

import assert from "node:assert/strict";
import { test } from "node:test";
import { controlled, REFUSED, UP } from "../_helpers/checks.ts";
import { ManualClock } from "../_helpers/clock.ts";
import { onDemand, TTL } from "../_helpers/health.ts";
import { entryAt, fetchFull, get } from "../_helpers/http.ts";

test("a check counts as DOWN only after failureThreshold consecutive failures", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { failureThreshold: 3 });
  const { handler } = onDemand([db.check], clock);

  const first = await fetchFull(handler, "/health/ready");
  assert.equal(first.code, 200);
  assert.equal(first.body.checks[0]!.status, "UP");

  db.state.outcome = REFUSED;
  for (const failures of [1, 2]) {
    clock.advance(TTL);
    const { code, body } = await fetchFull(handler, "/health/ready");
    assert.equal(code, 200, `after ${failures} failure(s) the scope stays UP`);
    assert.equal(body.status, "UP");
    assert.deepEqual(body.details, []);
    const entry = body.checks[0]!;
    assert.equal(entry.status, "UP", "counted status");
    assert.equal(entry.lastOutcome, "DOWN");
    assert.equal(entry.consecutiveFailures, failures);
    assert.equal(entry.consecutiveSuccesses, 0);
    assert.equal(entry.message, "refused");
  }

  clock.advance(TTL);
  const third = await fetchFull(handler, "/health/ready");
  assert.equal(third.code, 503);
  assert.equal(third.body.status, "DOWN");
  assert.deepEqual(third.body.details, ["db: refused"]);
  const entry = third.body.checks[0]!;
  assert.equal(entry.status, "DOWN");
  assert.equal(entry.lastOutcome, "DOWN");
  assert.equal(entry.consecutiveFailures, 3);
  assert.equal(db.state.runs, 4);
});

test("an UP run between failures resets the failure count", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { failureThreshold: 2 });
  const { handler } = onDemand([db.check], clock);
  const outcomes = [UP, REFUSED, UP, REFUSED];
  const seen: [string, number][] = [];
  for (const outcome of outcomes) {
    db.state.outcome = outcome;
    clock.advance(TTL);
    const entry = await entryAt(handler, "/health", "db");
    seen.push([entry.status, entry.consecutiveFailures]);
  }
  assert.deepEqual(seen, [["UP", 0], ["UP", 1], ["UP", 0], ["UP", 1]]);
  clock.advance(TTL);
  assert.equal((await get(handler, "/health")).status, 503, "two in a row do count");
});

test("a check's first result counts at once, whatever its thresholds", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { failureThreshold: 5, successThreshold: 5 });
  db.state.outcome = REFUSED;
  const { handler } = onDemand([db.check], clock);
  const { code, body } = await fetchFull(handler, "/health");
  assert.equal(code, 503);
  assert.equal(body.checks[0]!.status, "DOWN");
  assert.equal(body.checks[0]!.consecutiveFailures, 1);
  assert.deepEqual(body.details, ["db: refused"]);
});

test("a DOWN check counts as UP again only after successThreshold consecutive successes", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { successThreshold: 2 });
  db.state.outcome = REFUSED;
  const { handler } = onDemand([db.check], clock);
  assert.equal((await get(handler, "/health/ready")).status, 503);

  db.state.outcome = UP;
  clock.advance(TTL);
  const once = await fetchFull(handler, "/health/ready");
  assert.equal(once.code, 503);
  assert.equal(once.body.status, "DOWN");
  const entry = once.body.checks[0]!;
  assert.equal(entry.status, "DOWN", "counted status");
  assert.equal(entry.lastOutcome, "UP");
  assert.equal(entry.consecutiveSuccesses, 1);
  assert.equal(entry.consecutiveFailures, 0);
  assert.deepEqual(once.body.details, ["db: still counted DOWN after 1 UP result: fine"]);

  clock.advance(TTL);
  const twice = await fetchFull(handler, "/health/ready");
  assert.equal(twice.code, 200);
  assert.equal(twice.body.status, "UP");
  assert.deepEqual(twice.body.details, []);
  assert.equal(twice.body.checks[0]!.status, "UP");
  assert.equal(twice.body.checks[0]!.consecutiveSuccesses, 2);
});

test("the still-counted-DOWN detail counts several UP results in the plural", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { successThreshold: 3 });
  db.state.outcome = REFUSED;
  const { handler } = onDemand([db.check], clock);
  await get(handler, "/health");
  db.state.outcome = { status: "UP", message: "back" };
  clock.advance(TTL);
  await get(handler, "/health");
  clock.advance(TTL);
  const { code, body } = await fetchFull(handler, "/health");
  assert.equal(code, 503);
  assert.deepEqual(body.details, ["db: still counted DOWN after 2 UP results: back"]);
});
