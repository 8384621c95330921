// The coalescer (src/engine/coalescer.ts), on a manual clock: no sleeps. A
// request after a quiet gap runs the task at once; requests within the gap
// run it once, at the gap's end; a cancelled run never happens; a task that
// throws from the timer is reported and nothing escapes.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Coalescer } from "../../src/engine/coalescer.ts";
import { ManualClock } from "../_helpers/clock.ts";

test("a coalescer runs at once after a quiet gap, once at the end of a busy one, and never after cancel", () => {
  const clock = new ManualClock();
  let runs = 0;
  const coalescer = new Coalescer(() => void runs++, 50, clock);
  coalescer.request();
  assert.equal(runs, 1, "the first request runs at once");
  coalescer.request();
  coalescer.request();
  assert.equal(runs, 1, "requests within the gap wait");
  assert.ok(coalescer.pending);
  clock.advance(49);
  assert.equal(runs, 1, "not before the gap's end");
  clock.advance(1);
  assert.equal(runs, 2, "the waiting requests ran once at the gap's end");
  assert.ok(!coalescer.pending);

  clock.advance(1_000);
  coalescer.request();
  assert.equal(runs, 3, "after a quiet gap a request runs at once again");
  coalescer.request();
  assert.ok(coalescer.pending);
  coalescer.cancel();
  assert.ok(!coalescer.pending);
  clock.advance(1_000);
  assert.equal(runs, 3, "a cancelled run does not happen");
  assert.equal(clock.timers, 0, "and its timer is gone");
});

test("a coalesced task that throws when its timer runs it is reported, and the next request runs it again", () => {
  const clock = new ManualClock();
  let calls = 0;
  const reported: unknown[] = [];
  const coalescer = new Coalescer(
    () => {
      if (++calls === 2) throw new Error("publish failed");
    },
    20,
    clock,
    (error) => reported.push(error),
  );
  coalescer.request(); // at once
  coalescer.request(); // at the end of the gap, from the timer: throws there
  clock.advance(20);
  assert.equal(calls, 2, "the timer ran the task");
  assert.deepEqual(reported.map(String), ["Error: publish failed"]);
  assert.ok(!coalescer.pending);
  clock.advance(20);
  coalescer.request();
  assert.equal(calls, 3);
});
