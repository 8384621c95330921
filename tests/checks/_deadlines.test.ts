// The shared deadline timer behind every check's timeout (src/checks/_deadlines.ts),
// on a manual clock: no sleeps. Deadlines fire once, in due order, never
// when cancelled; an earlier deadline re-arms the one timer; a callback that
// throws is reported and the others still fire. One set is shared per clock.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Deadlines, deadlinesOn } from "../../src/checks/_deadlines.ts";
import { systemClock } from "../../src/clock.ts";
import { ManualClock } from "../_helpers/clock.ts";

test("a deadline fires once, at its delay and not before", () => {
  const clock = new ManualClock();
  const deadlines = new Deadlines(clock);
  let fired = 0;
  deadlines.after(30, () => fired++);
  clock.advance(29);
  assert.equal(fired, 0);
  clock.advance(1);
  assert.equal(fired, 1);
  clock.advance(1_000);
  assert.equal(fired, 1);
  assert.equal(deadlines.size, 0);
});

test("a cancelled deadline never fires, and the others still do", () => {
  const clock = new ManualClock();
  const deadlines = new Deadlines(clock);
  const fired: string[] = [];
  const cancel = deadlines.after(20, () => fired.push("cancelled"));
  deadlines.after(40, () => fired.push("kept"));
  cancel();
  assert.equal(deadlines.size, 1);
  clock.advance(100);
  assert.deepEqual(fired, ["kept"]);
});

test("a deadline added after a later one fires on its own time, on the one timer", () => {
  const clock = new ManualClock();
  const deadlines = new Deadlines(clock);
  const order: [number, number][] = [];
  const start = clock.now();
  deadlines.after(400, () => order.push([2, clock.now() - start]));
  deadlines.after(20, () => order.push([1, clock.now() - start]));
  assert.equal(clock.timers, 1, "one timer, re-armed for the earlier deadline");
  clock.advance(1_000);
  assert.deepEqual(order, [[1, 20], [2, 400]]);
});

test("1,000 deadlines added and cancelled in turn leave nothing pending and fire none", () => {
  const clock = new ManualClock();
  const deadlines = new Deadlines(clock);
  let fired = 0;
  for (let i = 0; i < 1000; i++) deadlines.after(10, () => fired++)();
  assert.equal(deadlines.size, 0);
  clock.advance(40);
  assert.equal(fired, 0);
  assert.ok(clock.timers <= 1, "at most the one timer, which finds nothing due");
});

test("a deadline whose callback throws is reported, and the others still fire", () => {
  const clock = new ManualClock();
  const reported: unknown[] = [];
  const deadlines = new Deadlines(clock, (error) => reported.push(error));
  let fired = 0;
  deadlines.after(5, () => {
    throw new Error("a failing callback");
  });
  deadlines.after(5, () => fired++);
  clock.advance(5);
  assert.equal(fired, 1);
  assert.deepEqual(reported.map(String), ["Error: a failing callback"]);
});

test("every check on one clock shares one set of deadlines; another clock has its own", () => {
  assert.equal(deadlinesOn(systemClock), deadlinesOn(systemClock));
  const clock = new ManualClock();
  assert.notEqual(deadlinesOn(clock), deadlinesOn(systemClock));
  assert.equal(deadlinesOn(clock), deadlinesOn(clock));
});

test("on the system clock a deadline fires on a real timer", async () => {
  const deadlines = new Deadlines(systemClock);
  const started = performance.now();
  await new Promise<void>((resolve) => deadlines.after(20, resolve));
  assert.ok(performance.now() - started >= 19);
});
