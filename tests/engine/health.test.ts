// The engine's front, Health (src/engine/health.ts), called directly: the
// first status comes from running the checks, the aggregate and its details,
// the status timestamp, the onEvaluated hook, and close() cancelling the
// checks that are running. (Each concern behind it has its own file:
// summary, check_state, check_registry, on_demand, background, limiter.)

import assert from "node:assert/strict";
import { test } from "node:test";
import { systemClock } from "../../src/clock.ts";
import { Health } from "../../src/engine/health.ts";
import type { RunResult } from "../../src/types.ts";
import { controlled, REFUSED } from "../_helpers/checks.ts";
import { ManualClock } from "../_helpers/clock.ts";
import { sleep } from "../_helpers/waits.ts";

test("the first status comes from running the checks, never an assumed UP", async () => {
  const { check, state } = controlled("db");
  state.outcome = REFUSED;
  const health = new Health({
    checks: [check],
    ttl: 30_000,
    poolSize: 1,
    clock: new ManualClock(),
  });
  assert.equal(health.last, undefined);
  const status = await health.status();
  assert.equal(state.runs, 1);
  assert.equal(status.status, "DOWN");
});

test("aggregate is DOWN iff a critical check is DOWN; details list every DOWN check", async () => {
  const db = controlled("db");
  const llm = controlled("llm", systemClock, { critical: false });
  llm.state.outcome = { status: "DOWN", message: "no model" };
  const health = new Health({
    checks: [db.check, llm.check],
    ttl: 0,
    poolSize: 2,
    clock: new ManualClock(),
  });
  const degraded = await health.status();
  assert.equal(degraded.status, "UP", "a non-critical DOWN check does not make the aggregate DOWN");
  assert.deepEqual(degraded.details, ["llm: no model"]);
  db.state.outcome = REFUSED;
  const down = await health.status();
  assert.equal(down.status, "DOWN");
  assert.deepEqual(down.details, ["db: refused", "llm: no model"]);
  assert.deepEqual(down.checks.map((c: RunResult) => c.name), ["db", "llm"]);
});

test("status timestamp is the wall time of the evaluation, so a cached answer shows its age", async () => {
  const clock = new ManualClock();
  const { check } = controlled("a");
  const health = new Health({ checks: [check], ttl: 30_000, poolSize: 1, clock });
  const first = await health.status();
  assert.equal(first.timestamp, "2026-11-21T11:24:41.342Z");
  clock.advance(10_000);
  assert.equal((await health.status()).timestamp, "2026-11-21T11:24:41.342Z");
});

test("onEvaluated reports each new status with the previous one", async () => {
  const { check, state } = controlled("a");
  const seen: [string, string | undefined][] = [];
  const health = new Health({
    checks: [check],
    ttl: 0,
    poolSize: 1,
    clock: new ManualClock(),
    onEvaluated: (next, previous) => seen.push([next.status, previous?.status]),
  });
  await health.status();
  state.outcome = { status: "DOWN", message: "gone" };
  await health.status();
  assert.deepEqual(seen, [["UP", undefined], ["DOWN", "UP"]]);
});

test("close cancels running checks: they end DOWN as cancelled", async () => {
  const sleepers = [controlled("c0"), controlled("c1")];
  for (const { state } of sleepers) state.sleepMs = 5_000;
  const health = new Health({ checks: sleepers.map((c) => c.check), ttl: 0, poolSize: 2 });
  const pending = health.evaluate();
  await sleep(20);
  health.close();
  const status = await pending;
  assert.equal(status.status, "DOWN");
  assert.match(status.details[0] ?? "", /cancelled: vitals is shutting down/);
});
