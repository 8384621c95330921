// The bounded pool behind check runs (src/engine/limiter.ts): it never runs
// more than its size at once, keeps results in task order, lets a failing task
// neither cancel nor hold up the others, and rejects a size below 1. Health
// running real checks on the pool is tests/scenarios/check_pool.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Limiter } from "../../src/engine/limiter.ts";
import { eventually, gate, sleep } from "../_helpers/waits.ts";

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
