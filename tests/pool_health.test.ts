// The worker pool's bound, and the aggregate status behind its expiring,
// single-flight cache, driven by an injected clock (no sleeps for expiry).

import assert from "node:assert/strict";
import { test } from "node:test";
import { Health } from "../src/engine/health.ts";
import { Limiter } from "../src/engine/limiter.ts";
import { CHECK_META, ManualClock } from "./helpers.ts";
import type { Check, Outcome } from "../src/checks/check.ts";
import type { CheckResult } from "../src/types.ts";
import { wrapProbe } from "../src/checks/wrap_probe.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function sleepingChecks(count: number, ms: number): Check[] {
  return Array.from(
    { length: count },
    (_, i) =>
      wrapProbe(
        { ...CHECK_META, name: `c${i}`, type: "custom", critical: true, timeout: 5000 },
        async () => {
          await sleep(ms);
          return { status: "UP", message: "slept" } as Outcome;
        },
      ),
  );
}

async function timeEvaluation(size: number): Promise<number> {
  const health = new Health({ checks: sleepingChecks(8, 200), ttl: 0, poolSize: size });
  const started = performance.now();
  const status = await health.evaluate();
  assert.equal(status.checks.length, 8);
  return performance.now() - started;
}

test("pool of 8 runs eight 200 ms checks in about 200 ms, pool of 2 in about 800 ms", async () => {
  const wide = await timeEvaluation(8);
  const narrow = await timeEvaluation(2);
  // Orders of magnitude with wide margins, not exact times.
  assert.ok(wide >= 190 && wide < 600, `size 8 took ${wide} ms`);
  assert.ok(narrow >= 790 && narrow < 1600, `size 2 took ${narrow} ms`);
  assert.ok(narrow / wide > 2.5, `size 2 / size 8 = ${narrow / wide}`);
});

test("pool never runs more than its size at once and keeps results in task order", async () => {
  let running = 0;
  let peak = 0;
  const tasks = Array.from({ length: 20 }, (_, i) => async () => {
    running++;
    peak = Math.max(peak, running);
    await sleep(5 + (i % 3) * 5);
    running--;
    return i;
  });
  const limiter = new Limiter(3);
  const results = await Promise.all(tasks.map((task) => limiter.run(task)));
  assert.equal(peak, 3);
  assert.deepEqual(results, Array.from({ length: 20 }, (_, i) => i));
});

test("pool: a failing task neither cancels nor delays the others", async () => {
  const finished: number[] = [];
  const tasks = [0, 1, 2, 3].map((i) => async () => {
    if (i === 1) throw new Error("task 1 broke");
    await sleep(10);
    finished.push(i);
    return i;
  });
  const limiter = new Limiter(2);
  const settled = await Promise.allSettled(tasks.map((task) => limiter.run(task)));
  assert.match(String((settled[1] as PromiseRejectedResult).reason), /task 1 broke/);
  assert.deepEqual(finished.sort(), [0, 2, 3]);
});

test("pool rejects a size below 1", () => {
  assert.throws(() => new Limiter(0), RangeError);
  assert.throws(() => new Limiter(2).resize(1.5), RangeError);
});

function countingCheck(name: string, outcome: () => Outcome, critical = true) {
  const counter = { runs: 0 };
  const check = wrapProbe(
    { ...CHECK_META, name, type: "custom", critical, timeout: 1000 },
    async () => {
      counter.runs++;
      await sleep(1);
      return outcome();
    },
  );
  return { check, counter };
}

const UP: Outcome = { status: "UP", message: "fine" };

test("cache reuses the status within ttl and runs no check", async () => {
  const clock = new ManualClock();
  const { check, counter } = countingCheck("a", () => UP);
  const health = new Health({ checks: [check], ttl: 30_000, poolSize: 4, clock });
  const first = await health.status();
  clock.advance(29_999);
  const second = await health.status();
  assert.equal(counter.runs, 1);
  assert.equal(second, first);
  assert.equal(health.evaluations, 1);
});

test("cache re-runs the checks exactly once after ttl", async () => {
  const clock = new ManualClock();
  const { check, counter } = countingCheck("a", () => UP);
  const health = new Health({ checks: [check], ttl: 30_000, poolSize: 4, clock });
  const first = await health.status();
  clock.advance(30_000);
  const second = await health.status();
  const third = await health.status();
  assert.equal(counter.runs, 2);
  assert.notEqual(second, first);
  assert.equal(third, second);
});

test("peek gives the fresh cached status at once, and undefined when a run is due, never running a check", async () => {
  const clock = new ManualClock();
  const { check, counter } = countingCheck("a", () => UP);
  const health = new Health({ checks: [check], ttl: 30_000, poolSize: 4, clock });
  assert.equal(health.peek(), undefined, "nothing published yet");
  const first = await health.status();
  assert.equal(health.peek(), first);
  assert.equal(health.peek("ready")?.status, "UP");
  clock.advance(30_000);
  assert.equal(health.peek(), undefined, "expired: the caller must wait for status()");
  assert.equal(counter.runs, 1, "peek never starts an evaluation");
  const second = await health.status();
  assert.notEqual(second, first);
  assert.equal(health.peek(), second);
  assert.equal(counter.runs, 2);
});

test("cache serves one evaluation to 100 concurrent callers at expiry", async () => {
  const clock = new ManualClock();
  const { check, counter } = countingCheck("a", () => UP);
  const health = new Health({ checks: [check], ttl: 1000, poolSize: 4, clock });
  await health.status();
  clock.advance(1000);
  const statuses = await Promise.all(Array.from({ length: 100 }, () => health.status()));
  assert.equal(counter.runs, 2);
  assert.equal(health.evaluations, 2);
  assert.ok(statuses.every((status) => status === statuses[0]));
});

test("cache serves one evaluation to 100 concurrent callers on a cold start", async () => {
  const { check, counter } = countingCheck("a", () => UP);
  const health = new Health({ checks: [check], ttl: 1000, poolSize: 4, clock: new ManualClock() });
  await Promise.all(Array.from({ length: 100 }, () => health.status()));
  assert.equal(counter.runs, 1);
});

test("wall clock going backwards does not matter: the cache reads only monotonic time", async () => {
  const clock = new ManualClock();
  const { check, counter } = countingCheck("a", () => UP);
  const health = new Health({ checks: [check], ttl: 30_000, poolSize: 4, clock });
  await health.status();
  clock.wall -= 3_600_000; // an NTP step back by an hour
  await health.status();
  assert.equal(counter.runs, 1, "a wall-clock jump must not expire the cache");
  clock.monotonic += 30_000;
  clock.wall -= 3_600_000;
  const after = await health.status();
  assert.equal(counter.runs, 2, "monotonic expiry still works after the wall clock moved back");
  assert.equal(after.status, "UP");
});

test("the first status comes from running the checks, never an assumed UP", async () => {
  const { check, counter } = countingCheck("db", () => ({ status: "DOWN", message: "refused" }));
  const health = new Health({
    checks: [check],
    ttl: 30_000,
    poolSize: 1,
    clock: new ManualClock(),
  });
  assert.equal(health.last, undefined);
  const status = await health.status();
  assert.equal(counter.runs, 1);
  assert.equal(status.status, "DOWN");
});

test("aggregate is DOWN iff a critical check is DOWN; details list every DOWN check", async () => {
  let dbUp = true;
  const db = countingCheck("db", () => dbUp ? UP : { status: "DOWN", message: "refused" });
  const llm = countingCheck("llm", () => ({ status: "DOWN", message: "no model" }), false);
  const health = new Health({
    checks: [db.check, llm.check],
    ttl: 0,
    poolSize: 2,
    clock: new ManualClock(),
  });
  const degraded = await health.status();
  assert.equal(degraded.status, "UP", "a non-critical DOWN check does not make the aggregate DOWN");
  assert.deepEqual(degraded.details, ["llm: no model"]);
  dbUp = false;
  const down = await health.status();
  assert.equal(down.status, "DOWN");
  assert.deepEqual(down.details, ["db: refused", "llm: no model"]);
  assert.deepEqual(down.checks.map((c: CheckResult) => c.name), ["db", "llm"]);
});

test("status timestamp is the wall time of the evaluation, so a cached answer shows its age", async () => {
  const clock = new ManualClock();
  const { check } = countingCheck("a", () => UP);
  const health = new Health({ checks: [check], ttl: 30_000, poolSize: 1, clock });
  const first = await health.status();
  assert.equal(first.timestamp, "2026-11-21T11:24:41.342Z");
  clock.advance(10_000);
  assert.equal((await health.status()).timestamp, "2026-11-21T11:24:41.342Z");
});

test("onEvaluated reports each new status with the previous one", async () => {
  let up = true;
  const { check } = countingCheck("a", () => up ? UP : { status: "DOWN", message: "gone" });
  const seen: [string, string | undefined][] = [];
  const health = new Health({
    checks: [check],
    ttl: 0,
    poolSize: 1,
    clock: new ManualClock(),
    onEvaluated: (next, previous) => seen.push([next.status, previous?.status]),
  });
  await health.status();
  up = false;
  await health.status();
  assert.deepEqual(seen, [["UP", undefined], ["DOWN", "UP"]]);
});

test("close cancels running checks: they end DOWN as cancelled", async () => {
  const health = new Health({ checks: sleepingChecks(2, 5_000), ttl: 0, poolSize: 2 });
  const pending = health.evaluate();
  await sleep(20);
  health.close();
  const status = await pending;
  assert.equal(status.status, "DOWN");
  assert.match(status.details[0] ?? "", /cancelled: vitals is shutting down/);
});
