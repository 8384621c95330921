// The shared deadline timer behind every check's timeout (src/checks/_deadlines.ts):
// deadlines fire once, in due order, never when cancelled, and an earlier
// deadline re-arms the timer; a callback that throws is reported and nothing
// escapes the timer. Real timers with short delays; every wait is bounded.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Deadlines } from "../src/checks/_deadlines.ts";
import { sleep } from "./helpers.ts";
import { noneEscape } from "./uncaught.ts";

/** Resolves with the elapsed ms when `fire` is called, through `deadlines.after(ms)`. */
function timed(deadlines: Deadlines, ms: number, order: number[], id: number) {
  const started = performance.now();
  return new Promise<number>((resolve) => {
    deadlines.after(ms, () => {
      order.push(id);
      resolve(performance.now() - started);
    });
  });
}

test("a deadline fires once, no earlier than its delay", async () => {
  const deadlines = new Deadlines();
  let fired = 0;
  const started = performance.now();
  await new Promise<void>((resolve) =>
    deadlines.after(30, () => {
      fired++;
      resolve();
    })
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 29, `fired after ${elapsed} ms`);
  await sleep(50);
  assert.equal(fired, 1);
  assert.equal(deadlines.size, 0);
});

test("a cancelled deadline never fires, and the others still do", async () => {
  const deadlines = new Deadlines();
  const fired: string[] = [];
  const cancel = deadlines.after(20, () => fired.push("cancelled"));
  const kept = new Promise<void>((resolve) =>
    deadlines.after(40, () => {
      fired.push("kept");
      resolve();
    })
  );
  cancel();
  assert.equal(deadlines.size, 1);
  await kept;
  await sleep(30);
  assert.deepEqual(fired, ["kept"]);
});

test("a deadline added after a later one fires on its own time, not the later one's", async () => {
  const deadlines = new Deadlines();
  const order: number[] = [];
  const late = timed(deadlines, 400, order, 2);
  const early = timed(deadlines, 20, order, 1);
  const earlyMs = await early;
  assert.ok(earlyMs < 300, `the 20 ms deadline fired after ${earlyMs} ms`);
  const lateMs = await late;
  assert.ok(lateMs >= 399, `the 400 ms deadline fired after ${lateMs} ms`);
  assert.deepEqual(order, [1, 2]);
});

test("1,000 deadlines added and cancelled in turn leave nothing pending and fire none", async () => {
  const deadlines = new Deadlines();
  let fired = 0;
  for (let i = 0; i < 1000; i++) deadlines.after(10, () => fired++)();
  assert.equal(deadlines.size, 0);
  await sleep(40);
  assert.equal(fired, 0);
});

test("a deadline whose callback throws is reported, the others still fire, and nothing escapes the timer", async () => {
  const reported: unknown[] = [];
  const deadlines = new Deadlines((error) => reported.push(error));
  let fired = 0;
  await noneEscape(async () => {
    deadlines.after(5, () => {
      throw new Error("a failing callback");
    });
    deadlines.after(5, () => fired++);
    await sleep(60);
  }, 50);
  assert.equal(fired, 1);
  assert.deepEqual(reported.map(String), ["Error: a failing callback"]);
});
