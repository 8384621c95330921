// Scoped evaluation, from an HTTP request (src/http/handler.ts) through the
// engine (src/engine/health.ts, check_registry.ts) to checks the runner wraps
// (src/checks/runner.ts), in both refresh modes: a request for a scope waits
// only for that scope's checks, each check keeps its own freshness and single
// flight, and scopes share results.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Outcome } from "../../src/checks/check.ts";
import { runner } from "../../src/checks/runner.ts";
import { Health } from "../../src/engine/health.ts";
import { createHandler } from "../../src/http/handler.ts";
import type { Clock } from "../../src/clock.ts";
import type { Group } from "../../src/types.ts";
import { CHECK_META, UP } from "../_helpers/checks.ts";
import { ManualClock } from "../_helpers/clock.ts";

/** A check that counts its runs and, while `hang` is set, waits until aborted. */
function counted(name: string, groups: Group[], clock?: Clock, extra: { interval?: number } = {}) {
  const state = { runs: 0, hang: false };
  const check = runner(
    { ...CHECK_META, name, type: "custom", critical: true, timeout: 30_000, groups, ...extra },
    (signal) => {
      state.runs++;
      if (!state.hang) return Promise.resolve(UP);
      return new Promise<Outcome>((resolve) =>
        signal.addEventListener("abort", () => resolve(UP), { once: true })
      );
    },
    clock,
  );
  return { check, state };
}

for (const mode of ["on-demand", "background"] as const) {
  test(`${mode}: 20 liveness probes answer in under 50 ms each while a 30 s readiness check runs`, async () => {
    const live = counted("proc", ["live"]);
    const ready = counted("db", ["ready"]);
    ready.state.hang = true;
    const health = new Health({
      checks: [live.check, ready.check],
      ttl: 10,
      poolSize: 4,
      mode,
      maxWait: 5_000,
    });
    const handler = createHandler(health);
    void health.start();
    try {
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        const response = await handler(new Request("http://vitals.test/health/live"));
        const elapsed = performance.now() - started;
        assert.equal(response.status, 200, await response.text());
        assert.ok(elapsed < 50, `liveness probe ${i} took ${elapsed.toFixed(1)} ms`);
        await new Promise((resolve) => setTimeout(resolve, 15)); // past the 10 ms ttl
      }
      assert.equal(ready.state.runs, 1, "the hanging readiness check was never started twice");
      assert.ok(live.state.runs >= 2, `the liveness check re-ran (${live.state.runs} runs)`);
    } finally {
      health.close();
    }
  });
}

test("a burst on an expired cache across every scope runs each due check exactly once", async () => {
  const clock = new ManualClock();
  const proc = counted("proc", ["live"], clock);
  const db = counted("db", ["ready"], clock);
  const boot = counted("boot", ["started"], clock);
  const api = counted("api", ["live", "ready"], clock);
  const health = new Health({
    checks: [proc.check, db.check, boot.check, api.check],
    ttl: 1_000,
    poolSize: 4,
    clock,
  });
  const handler = createHandler(health);
  await health.start();
  clock.advance(1_000);
  const paths = ["/health", "/health/live", "/health/ready", "/health/started"];
  const responses = await Promise.all(
    Array.from(
      { length: 200 },
      (_, i) => handler(new Request(`http://vitals.test${paths[i % 4]}`)),
    ),
  );
  assert.ok(responses.every((response) => response.status === 200));
  for (const { state } of [proc, db, boot, api]) assert.equal(state.runs, 2);
});

test("/health and the groups share results: a group right after /health runs nothing", async () => {
  const clock = new ManualClock();
  const proc = counted("proc", ["live"], clock);
  const db = counted("db", ["ready"], clock);
  const health = new Health({ checks: [proc.check, db.check], ttl: 1_000, poolSize: 4, clock });
  const handler = createHandler(health);
  await handler(new Request("http://vitals.test/health"));
  const evaluations = health.evaluations;
  for (const path of ["/health/live", "/health/ready", "/health/started", "/health"]) {
    assert.equal((await handler(new Request(`http://vitals.test${path}`))).status, 200, path);
  }
  assert.equal(proc.state.runs, 1);
  assert.equal(db.state.runs, 1);
  assert.equal(health.evaluations, evaluations, "no evaluation: every scope was fresh");
});

test("each check keeps its own freshness: a short interval re-runs while a long one is reused", async () => {
  const clock = new ManualClock();
  const fast = counted("fast", ["ready"], clock, { interval: 1_000 });
  const slow = counted("slow", ["ready"], clock, { interval: 60_000 });
  const health = new Health({ checks: [fast.check, slow.check], ttl: 30_000, poolSize: 4, clock });
  await health.status("ready");
  clock.advance(1_000);
  await health.status("ready");
  clock.advance(1_000);
  await health.status("ready");
  assert.equal(fast.state.runs, 3);
  assert.equal(slow.state.runs, 1);
});

test("a liveness request runs no readiness-only check, and a readiness request no liveness-only one", async () => {
  const clock = new ManualClock();
  const proc = counted("proc", ["live"], clock);
  const db = counted("db", ["ready"], clock);
  const health = new Health({ checks: [proc.check, db.check], ttl: 1_000, poolSize: 4, clock });
  await health.status("live");
  assert.deepEqual([proc.state.runs, db.state.runs], [1, 0]);
  await health.status("ready");
  assert.deepEqual([proc.state.runs, db.state.runs], [1, 1]);
});

test("the checks of one evaluation expire together, however long each one ran", async () => {
  const clock = new ManualClock();
  const quick = counted("quick", ["ready"], clock);
  const runs = { slow: 0 };
  const slow = runner(
    { ...CHECK_META, name: "slow", type: "custom", critical: true, timeout: 30_000 },
    async () => {
      runs.slow++;
      await new Promise((resolve) => setTimeout(resolve, 5)); // quick's run has ended by now
      clock.advance(300); // this run takes 300 ms of the clock; quick's took none
      return UP;
    },
    clock,
  );
  const health = new Health({ checks: [quick.check, slow], ttl: 1_000, poolSize: 4, clock });
  await health.status();
  const evaluations = health.evaluations;
  clock.advance(800); // 1,100 ms after quick's run ended, 800 ms after the evaluation ended
  assert.ok(health.peek(), "both checks are fresh: they expire with their evaluation");
  clock.advance(200);
  await health.status();
  assert.deepEqual([quick.state.runs, runs.slow], [2, 2]);
  assert.equal(health.evaluations, evaluations + 1, "one evaluation ran both, not two");
});
