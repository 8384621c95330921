/**
 * A check's history ring (src/engine/history.ts) and its recording by the
 * check registry: the last 100 results and 20 changes, oldest first, in fixed
 * memory however many results come; kept across a reload that keeps the check.
 *
 * @module
 */

import assert from "node:assert/strict";
import process from "node:process";
import v8 from "node:v8";
import vm from "node:vm";
import { test } from "node:test";
import {
  CHANGE_CAPACITY,
  CheckHistory,
  HISTORY_BYTES,
  RESULT_CAPACITY,
} from "../../src/engine/history.ts";
import { Health } from "../../src/engine/health.ts";
import type { Status } from "../../src/types.ts";
import { controlled, REFUSED, UP } from "../_helpers/checks.ts";
import { ManualClock } from "../_helpers/clock.ts";

const STATUSES: readonly Status[] = ["UP", "WARN", "DOWN"];
/**
 * The most a measured round may move the heap: under 3.3 bytes per evaluation
 * over 10,000 evaluations (0.33 per record over 100,000), where no object can hide.
 */
const LEAK_BOUND = 32_768;

test("the ring keeps the last 100 results and 20 changes, oldest first, after 10,000 records", () => {
  const history = new CheckHistory();
  assert.equal(history.length, 0);
  assert.deepEqual(history.results(), []);
  assert.equal(history.lastChangeAt, undefined);
  for (let i = 0; i < 10_000; i++) {
    const status = STATUSES[i % 3]!;
    history.record(status, status, i / 10, 1_000_000 + i);
    assert.ok(history.length <= RESULT_CAPACITY);
  }
  assert.equal(history.length, RESULT_CAPACITY);
  assert.equal(history.recorded, 10_000);
  const results = history.results();
  assert.equal(results.length, 100);
  assert.deepEqual(results[0], { status: STATUSES[9_900 % 3], durationMs: 990, at: 1_009_900 });
  assert.deepEqual(results.at(-1), {
    status: STATUSES[9_999 % 3],
    durationMs: 999.9,
    at: 1_009_999,
  });
  const changes = history.changes();
  assert.equal(changes.length, CHANGE_CAPACITY);
  assert.deepEqual(changes.at(-1), { from: "DOWN", to: "UP", at: 1_009_999 });
  assert.equal(history.lastChangeAt, 1_009_999);
  assert.equal(HISTORY_BYTES, 1_500);
});

test("a change is recorded when the counted status changes, not on every outcome", () => {
  const history = new CheckHistory();
  history.record("UP", "UP", 1, 1);
  history.record("DOWN", "UP", 1, 2); // damped: 1 of 2 failures
  history.record("DOWN", "DOWN", 1, 3);
  history.record("UP", "DOWN", 1, 4);
  history.record("UP", "UP", 1, 5);
  assert.deepEqual(history.changes(), [
    { from: null, to: "UP", at: 1 },
    { from: "UP", to: "DOWN", at: 3 },
    { from: "DOWN", to: "UP", at: 5 },
  ]);
  assert.deepEqual(history.results().map((r) => r.status), ["UP", "DOWN", "DOWN", "UP", "UP"]);
});

/** A full collection: Bun's own, V8's exposed through node:v8 on Deno. */
function collect(): void {
  const bun = (globalThis as { Bun?: { gc(sync: boolean): void } }).Bun;
  if (bun) return bun.gc(true);
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}

function heapUsed(): number {
  collect();
  const usage = process.memoryUsage();
  // Typed arrays keep their contents outside the JS heap on V8: count both.
  return usage.heapUsed + usage.external;
}

function recordMany(history: CheckHistory, count: number): void {
  for (let i = 0; i < count; i++) history.record(STATUSES[i % 3]!, "UP", 1.5, i);
}

test("recording 100,000 more results allocates nothing: the ring's memory is fixed", () => {
  const history = new CheckHistory();
  // The same loop first, so the JIT's own allocations come before the measurement.
  recordMany(history, 100_000);
  // The runtime's own bookkeeping moves the heap by a few KB either way: the least of five rounds.
  const growths = Array.from({ length: 5 }, () => {
    const before = heapUsed();
    recordMany(history, 100_000);
    return heapUsed() - before;
  });
  const growth = Math.min(...growths);
  console.log(
    `history: 100,000 records grew the heap by ${growths.join(", ")} bytes in five rounds ` +
      `(bound: ${LEAK_BOUND})`,
  );
  assert.ok(growth < LEAK_BOUND, `${growth} bytes`);
});

test("a check's history costs about its documented bound: 1,000 histories, measured", () => {
  const before = heapUsed();
  const histories = Array.from({ length: 1_000 }, () => new CheckHistory());
  const perCheck = (heapUsed() - before) / histories.length;
  console.log(
    `history: ${
      perCheck.toFixed(0)
    } heap bytes per check (${HISTORY_BYTES} bytes of data + headers)`,
  );
  // The data, plus the headers of six typed arrays and their buffers.
  assert.ok(perCheck < HISTORY_BYTES + 1_024, `${perCheck} bytes per check`);
  assert.equal(histories.length, 1_000);
});

test("the registry records every run: 10,000 evaluations keep 100 results, and the heap stays put", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock);
  const health = new Health({ checks: [db.check], ttl: 1_000, poolSize: 1, clock });
  const evaluate = async (count: number) => {
    for (let i = 0; i < count; i++) {
      db.state.outcome = i % 50 === 49 ? REFUSED : UP;
      await health.evaluate(true);
    }
  };
  try {
    await evaluate(1_000); // warm-up: the JIT, the caches
    // Bun's heap settles during the first round: the least of five rounds.
    const growths: number[] = [];
    for (let round = 0; round < 5; round++) {
      const before = heapUsed();
      await evaluate(10_000);
      growths.push(heapUsed() - before);
    }
    console.log(`history: 10,000 evaluations grew the heap by ${growths.join(", ")} bytes`);
    // Anything kept per evaluation is at least one small heap object (12 bytes
    // or more), so a leak would grow a round by 120,000 bytes or more. The
    // bound sits well below that and well above the few kilobytes V8 itself
    // moves between rounds (5-7 KB seen on a loaded CI machine).
    assert.ok(Math.min(...growths) < LEAK_BOUND, `${growths} bytes`);
    const [entry] = health.checks;
    const history = health.historyOf(entry!.check)!;
    assert.equal(history.recorded, 51_000);
    assert.equal(history.length, RESULT_CAPACITY);
    assert.equal(history.changes().length, CHANGE_CAPACITY);
    assert.deepEqual(entry!.state.runs, { UP: 49_980, WARN: 0, DOWN: 1_020 });
    assert.equal(history.results().at(-1)!.status, "DOWN");
  } finally {
    health.close();
  }
});

test("a reload keeps the history of a check whose definition is unchanged and starts new ones empty", async () => {
  const clock = new ManualClock();
  const kept = controlled("kept", clock, { key: "kept" });
  const gone = controlled("gone", clock, { key: "gone" });
  const health = new Health({ checks: [kept.check, gone.check], ttl: 1_000, poolSize: 2, clock });
  try {
    await health.evaluate(true);
    await health.evaluate(true);
    const fresh = controlled("fresh", clock, { key: "fresh" });
    await health.reload([kept.check, fresh.check], { ttl: 1_000, poolSize: 2 });
    const lengths = health.checks.map(({ check }) => [check.name, health.historyOf(check)?.length]);
    assert.deepEqual(lengths, [["kept", 2], ["fresh", 1]]);
  } finally {
    health.close();
  }
});
