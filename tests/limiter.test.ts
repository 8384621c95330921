// The bounded pool behind check runs (src/engine/limiter.ts): it never runs
// more than its size at once (counted, not timed), keeps results in task
// order, lets a failing task neither cancel nor hold up the others, and
// rejects a size below 1.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Check } from "../src/checks/check.ts";
import { runner } from "../src/checks/runner.ts";
import { Health } from "../src/engine/health.ts";
import { Limiter } from "../src/engine/limiter.ts";
import { CHECK_META, eventually, gate, ManualClock, sleep, UP } from "./helpers.ts";

/**
 * Evaluates eight checks through Health on a pool of `size`, each held until
 * the test lets it finish, and returns how many the pool ran in each round: a
 * round waits until the pool has started what it may, counts the checks
 * running, then lets them all finish. Counting, not timing, so a slow machine
 * cannot make it fail.
 */
async function rounds(size: number): Promise<number[]> {
  let running = 0;
  let peak = 0;
  const held: (() => void)[] = [];
  const checks: Check[] = Array.from({ length: 8 }, (_, i) =>
    runner(
      { ...CHECK_META, name: `c${i}`, type: "custom", critical: true, timeout: 5000 },
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => held.push(resolve));
        running--;
        return UP;
      },
    ));
  const health = new Health({ checks, ttl: 0, poolSize: size, clock: new ManualClock() });
  const evaluation = health.evaluate();
  const counts: number[] = [];
  for (let finished = 0; finished < 8;) {
    const expected = Math.min(size, 8 - finished);
    assert.ok(
      await eventually(() => held.length === expected),
      `round ${counts.length + 1} of pool ${size}: ${held.length} running, expected ${expected}`,
    );
    await sleep(20); // a pool that starts more than its size has done so by now
    counts.push(held.length);
    finished += held.length;
    for (const release of held.splice(0)) release();
  }
  const status = await evaluation;
  assert.equal(status.checks.length, 8);
  assert.equal(peak, size, `the most checks running at once on a pool of ${size}`);
  return counts;
}

test("pool of 8 runs eight checks in one round, pool of 2 in four rounds of two", async () => {
  assert.deepEqual(await rounds(8), [8]);
  assert.deepEqual(await rounds(2), [2, 2, 2, 2]);
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
  const hold = gate();
  const tasks = [0, 1, 2, 3].map((i) => async () => {
    if (i === 1) throw new Error("task 1 broke");
    // Task 0 keeps its slot until the end, so 2 and 3 can only run in the slot task 1 freed.
    await (i === 0 ? hold.promise : sleep(10));
    finished.push(i);
    return i;
  });
  const limiter = new Limiter(2);
  const pending = Promise.allSettled(tasks.map((task) => limiter.run(task)));
  assert.ok(
    await eventually(() => finished.length === 2),
    `tasks 2 and 3 ran while task 0 held its slot: finished ${JSON.stringify(finished)}`,
  );
  assert.deepEqual(finished, [2, 3]);
  hold.open();
  const settled = await pending;
  assert.match(String((settled[1] as PromiseRejectedResult).reason), /task 1 broke/);
  assert.deepEqual(finished.sort(), [0, 2, 3]);
});

test("pool rejects a size below 1", () => {
  assert.throws(() => new Limiter(0), RangeError);
  assert.throws(() => new Limiter(2).resize(1.5), RangeError);
});
