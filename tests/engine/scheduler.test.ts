// The background loops (src/engine/scheduler.ts), on a manual clock: no
// sleeps. Each loop runs its item one interval after replace() and then every
// interval measured from the start of its run; a run longer than its interval
// is followed by the next at once, never by two at once; replace() and stop()
// end the old loops; a clock that throws once does not end a loop.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Clock } from "../../src/clock.ts";
import { Scheduler } from "../../src/engine/scheduler.ts";
import { ManualClock } from "../_helpers/clock.ts";
import { gate } from "../_helpers/waits.ts";

/** Lets the promise callbacks queued so far run. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

test("each loop runs one interval after replace, then every interval", async () => {
  const clock = new ManualClock();
  const runs: string[] = [];
  const loops = new Scheduler<string>((name) => Promise.resolve(void runs.push(name)), clock);
  loops.replace(["fast", "slow"], (name) => name === "fast" ? 100 : 250);
  assert.equal(loops.size, 2);
  clock.advance(99);
  assert.deepEqual(runs, [], "nothing runs before its first interval");
  for (let t = 0; t < 4; t++) {
    clock.advance(50);
    await settle();
  }
  // At 100, 200 (fast) and 250 (slow) since replace.
  assert.deepEqual(runs, ["fast", "fast", "slow"]);
  loops.stop();
  assert.equal(loops.size, 0);
  clock.advance(1_000);
  await settle();
  assert.equal(runs.length, 3, "a stopped loop does not run again");
  assert.equal(clock.timers, 0);
});

test("a run longer than its interval is followed by the next at once, never overlapping", async () => {
  const clock = new ManualClock();
  let running = 0;
  let most = 0;
  let runs = 0;
  let hold = gate();
  const loops = new Scheduler<string>(async () => {
    runs++;
    most = Math.max(most, ++running);
    await hold.promise;
    running--;
  }, clock);
  loops.replace(["db"], () => 100);
  clock.advance(100);
  await settle();
  assert.equal(runs, 1);
  clock.advance(500); // the run takes five intervals
  await settle();
  assert.equal(runs, 1, "no second run while the first goes on");
  hold.open();
  hold = gate();
  await settle();
  clock.advance(0); // the next is due at once: the run took longer than its interval
  await settle();
  assert.equal(runs, 2);
  assert.equal(most, 1);
  hold.open();
  loops.stop();
});

test("replace ends the old loops and starts the new ones", async () => {
  const clock = new ManualClock();
  const runs: string[] = [];
  const loops = new Scheduler<string>((name) => Promise.resolve(void runs.push(name)), clock);
  loops.replace(["old"], () => 100);
  loops.replace(["new"], () => 100);
  clock.advance(100);
  await settle();
  assert.deepEqual(runs, ["new"]);
  loops.stop();
});

test("a loop whose clock throws once keeps running, and nothing escapes its timer", async () => {
  const manual = new ManualClock();
  let reads = 0;
  const clock: Clock = {
    now() {
      if (++reads === 1) throw new Error("the clock failed");
      return manual.now();
    },
    date: () => manual.date(),
    setTimer: (ms, fire) => manual.setTimer(ms, fire),
  };
  let runs = 0;
  const loops = new Scheduler<string>(() => Promise.resolve(void runs++), clock);
  loops.replace(["db"], () => 10);
  for (let i = 0; i < 4; i++) {
    manual.advance(10);
    await settle();
  }
  // The first step could not read the clock: it skipped its run and waited a whole interval.
  assert.equal(runs, 3, "the loop went on after the clock failed");
  loops.stop();
});
