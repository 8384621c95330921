// The on-demand refresh mode (src/engine/health.ts): the published status
// is reused within the ttl and re-evaluated once after it, on the monotonic
// clock only (a manual clock here, no sleeps for expiry); concurrent callers
// share one evaluation; `peek` never runs a check; and past `maxWait` (on
// the same manual clock: no sleeps) a request gets the last result marked
// stale instead of waiting.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Health } from "../../src/engine/health.ts";
import { controlled } from "../_helpers/checks.ts";
import { ManualClock } from "../_helpers/clock.ts";
import { onDemand, TTL } from "../_helpers/health.ts";
import { fetchFull, type FullBody, get } from "../_helpers/http.ts";
import { gate } from "../_helpers/waits.ts";

// The cache

test("cache reuses the status within ttl and runs no check", async () => {
  const clock = new ManualClock();
  const { check, state } = controlled("a");
  const health = new Health({ checks: [check], ttl: 30_000, poolSize: 4, clock });
  const first = await health.status();
  clock.advance(29_999);
  const second = await health.status();
  assert.equal(state.runs, 1);
  assert.equal(second, first);
  assert.equal(health.evaluations, 1);
});

test("cache re-runs the checks exactly once after ttl", async () => {
  const clock = new ManualClock();
  const { check, state } = controlled("a");
  const health = new Health({ checks: [check], ttl: 30_000, poolSize: 4, clock });
  const first = await health.status();
  clock.advance(30_000);
  const second = await health.status();
  const third = await health.status();
  assert.equal(state.runs, 2);
  assert.notEqual(second, first);
  assert.equal(third, second);
});

test("peek gives the fresh cached status at once, and undefined when a run is due, never running a check", async () => {
  const clock = new ManualClock();
  const { check, state } = controlled("a");
  const health = new Health({ checks: [check], ttl: 30_000, poolSize: 4, clock });
  assert.equal(health.peek(), undefined, "nothing published yet");
  const first = await health.status();
  assert.equal(health.peek(), first);
  assert.equal(health.peek("ready")?.status, "UP");
  clock.advance(30_000);
  assert.equal(health.peek(), undefined, "expired: the caller must wait for status()");
  assert.equal(state.runs, 1, "peek never starts an evaluation");
  const second = await health.status();
  assert.notEqual(second, first);
  assert.equal(health.peek(), second);
  assert.equal(state.runs, 2);
});

test("cache serves one evaluation to 100 concurrent callers at expiry", async () => {
  const clock = new ManualClock();
  const { check, state } = controlled("a");
  const health = new Health({ checks: [check], ttl: 1000, poolSize: 4, clock });
  await health.status();
  clock.advance(1000);
  const statuses = await Promise.all(Array.from({ length: 100 }, () => health.status()));
  assert.equal(state.runs, 2);
  assert.equal(health.evaluations, 2);
  assert.ok(statuses.every((status) => status === statuses[0]));
});

test("cache serves one evaluation to 100 concurrent callers on a cold start", async () => {
  const { check, state } = controlled("a");
  const health = new Health({ checks: [check], ttl: 1000, poolSize: 4, clock: new ManualClock() });
  await Promise.all(Array.from({ length: 100 }, () => health.status()));
  assert.equal(state.runs, 1);
});

test("wall clock going backwards does not matter: the cache reads only monotonic time", async () => {
  const clock = new ManualClock();
  const { check, state } = controlled("a");
  const health = new Health({ checks: [check], ttl: 30_000, poolSize: 4, clock });
  await health.status();
  clock.wall -= 3_600_000; // an NTP step back by an hour
  await health.status();
  assert.equal(state.runs, 1, "a wall-clock jump must not expire the cache");
  clock.monotonic += 30_000;
  clock.wall -= 3_600_000;
  const after = await health.status();
  assert.equal(state.runs, 2, "monotonic expiry still works after the wall clock moved back");
  assert.equal(after.status, "UP");
});

// Single flight

test("an evaluate() call during a running on-demand evaluation joins it: the check runs once", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock);
  const hold = gate();
  db.state.gate = hold.promise;
  const { health, handler } = onDemand([db.check], clock);

  const request = get(handler, "/health");
  await Promise.resolve();
  const first = health.evaluate();
  const second = health.evaluate();
  const everything = health.evaluate(true);
  assert.equal(second, first, "the same evaluation promise");
  assert.equal(everything, first);
  assert.equal(db.state.runs, 1);
  hold.open();
  const [response, a, b, c] = await Promise.all([request, first, second, everything]);
  assert.equal(response.status, 200);
  assert.equal(a, b);
  assert.equal(b, c);
  assert.equal(db.state.runs, 1);
  assert.equal(health.evaluations, 1);

  // The next evaluation is a new one and runs the check again.
  clock.advance(TTL);
  await health.evaluate();
  assert.equal(db.state.runs, 2);
  assert.equal(health.evaluations, 2);
});

// maxWait

test("past maxWait a request gets the last result marked stale, and fresh answers drop the mark", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock);
  db.state.outcome = { status: "UP", message: "first run" };
  const { health, handler } = onDemand([db.check], clock, { maxWait: 100 });
  try {
    const first = await fetchFull(handler, "/health");
    assert.equal(first.code, 200);
    assert.equal("stale" in first.body, false);

    const hold = gate();
    db.state.gate = hold.promise;
    db.state.outcome = { status: "DOWN", message: "second run" };
    clock.advance(TTL + 2_500);
    const waiting = fetchFull(handler, "/health");
    await Promise.resolve();
    assert.equal(db.state.runs, 2, "the request started the second run");
    clock.advance(99);
    let answered = false;
    void waiting.then(() => answered = true);
    await Promise.resolve();
    assert.equal(answered, false, "it waits up to maxWait");
    clock.advance(1);
    const stale = await waiting;
    assert.equal(stale.code, 200, "the stale answer is the first run's UP");
    assert.equal(stale.body.stale, true);
    assert.equal(stale.body.ageMs, TTL + 2_500 + 100);
    assert.equal(stale.body.checks[0]!.message, "first run");

    const simple = get(handler, "/health/simple");
    clock.advance(100);
    assert.equal(await (await simple).text(), '{"status":"UP"}');
    assert.equal(db.state.runs, 2, "a second stale request joined the running evaluation");

    hold.open();
    const finished = await health.evaluate(); // joins the running evaluation
    assert.equal(db.state.runs, 2);
    assert.equal(finished.checks[0]!.message, "second run");

    const fresh = await get(handler, "/health");
    const text = await fresh.text();
    assert.equal(fresh.status, 503);
    const body = JSON.parse(text) as FullBody;
    assert.equal(body.checks[0]!.message, "second run");
    assert.equal("stale" in body, false, text);
    assert.equal("ageMs" in body, false, text);
    assert.equal(db.state.runs, 2);
  } finally {
    health.close();
  }
});

test("past maxWait with no result yet, live answers 200 and ready 503 'no result yet'", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { groups: ["live", "ready"] });
  const hold = gate();
  db.state.gate = hold.promise;
  const { health, handler } = onDemand([db.check], clock, { maxWait: 50 });
  try {
    const liveAnswer = fetchFull(handler, "/health/live");
    const readyAnswer = fetchFull(handler, "/health/ready");
    clock.advance(50);
    const live = await liveAnswer;
    assert.equal(live.code, 200);
    assert.deepEqual(live.body.checks, []);
    const ready = await readyAnswer;
    assert.equal(ready.code, 503);
    assert.deepEqual(ready.body.details, ["no result yet"]);
    assert.equal("stale" in ready.body, false, "nothing to be stale about");
    assert.equal(db.state.runs, 1, "both requests waited on the one running evaluation");
    assert.equal(health.evaluations, 0);
    hold.open();
    await health.evaluate();
    assert.equal((await get(handler, "/health/ready")).status, 200);
    assert.equal(db.state.runs, 1);
  } finally {
    hold.open();
    health.close();
  }
});
