// Health runs a config's checks on the bounded pool (src/engine/health.ts
// over src/engine/limiter.ts, with checks built by src/checks/runner.ts): a
// pool of 8 runs eight checks in one round, a pool of 2 in four rounds of two,
// counted, not timed, so a slow machine cannot make it fail.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Check } from "../../src/checks/check.ts";
import { runner } from "../../src/checks/runner.ts";
import { Health } from "../../src/engine/health.ts";
import { CHECK_META, UP } from "../_helpers/checks.ts";
import { ManualClock } from "../_helpers/clock.ts";
import { eventually, sleep } from "../_helpers/waits.ts";

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
