// The background refresh mode (src/engine/background.ts): requests never wait
// for a check. Before the first result they are answered at once (liveness UP,
// readiness and startup DOWN with "no result yet"), and afterwards from the
// last published results while a slow re-run goes on, without evaluating.
// Results that arrive together are published together (at most one publish
// per 50 ms), and the newest result is always published in the end. Nothing a
// task or the clock throws escapes the timers (src/engine/scheduler.ts).

import assert from "node:assert/strict";
import { test } from "node:test";
import { systemClock } from "../src/clock.ts";
import { Health } from "../src/engine/health.ts";
import { Coalescer, Scheduler } from "../src/engine/scheduler.ts";
import { createHandler } from "../src/http/handler.ts";
import {
  controlled,
  entryAt,
  eventually,
  fetchFull,
  gate,
  get,
  ManualClock,
  REFUSED,
  sleep,
} from "./helpers.ts";
import { noneEscape } from "./uncaught.ts";

// Before the first result

test("before the first result: live 200, ready and started 503 with 'no result yet', answered at once", async () => {
  const app = controlled("app", systemClock, { groups: ["live", "ready", "started"] });
  app.state.sleepMs = 1_500;
  const health = new Health({ checks: [app.check], ttl: 60_000, poolSize: 2, mode: "background" });
  const handler = createHandler(health);
  try {
    const started = performance.now();
    const live = await fetchFull(handler, "/health/live");
    const ready = await fetchFull(handler, "/health/ready");
    const startedProbe = await fetchFull(handler, "/health/started");
    const all = await fetchFull(handler, "/health");
    const elapsed = performance.now() - started;

    assert.equal(app.state.runs, 1, "the first request started the first evaluation");
    assert.equal(health.evaluations, 0, "nothing is published yet");
    assert.equal(live.code, 200);
    assert.equal(live.body.status, "UP");
    assert.equal(ready.code, 503);
    assert.equal(ready.body.status, "DOWN");
    assert.deepEqual(ready.body.details, ["no result yet"]);
    assert.deepEqual(ready.body.checks, []);
    assert.equal(startedProbe.code, 503);
    assert.deepEqual(startedProbe.body.details, ["no result yet"]);
    assert.equal(all.code, 503);

    // The first evaluation (joined here) publishes; then every group is UP.
    const first = await health.evaluate();
    assert.equal(first.status, "UP");
    assert.equal(app.state.runs, 1, "evaluate() joined the running first evaluation");
    const duration = first.checks[0]!.durationMs;
    assert.ok(duration >= 1_400, `the first run took ${duration} ms`);
    assert.ok(elapsed < duration / 5, `four answers took ${elapsed} ms vs a ${duration} ms check`);
    for (const path of ["/health/live", "/health/ready", "/health/started", "/health"]) {
      assert.equal((await get(handler, path)).status, 200, path);
    }
  } finally {
    health.close();
  }
});

test("before the first result, /health/started answers 200 when no check is in the started group", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock);
  const hold = gate();
  db.state.gate = hold.promise;
  const health = new Health({
    checks: [db.check],
    ttl: 60_000,
    poolSize: 1,
    mode: "background",
    clock,
  });
  const handler = createHandler(health);
  try {
    const startedProbe = await fetchFull(handler, "/health/started");
    assert.equal(startedProbe.code, 200);
    assert.equal(startedProbe.body.status, "UP");
    assert.equal((await get(handler, "/health/ready")).status, 503);
    assert.equal(db.state.runs, 1, "the check is running, not finished");
    assert.equal(health.evaluations, 0);
  } finally {
    hold.open();
    health.close();
  }
});

// After it

test("background mode answers from the last result in a fraction of a slow re-run, without evaluating", async () => {
  const db = controlled("db", systemClock, { interval: 50 });
  db.state.outcome = { status: "UP", message: "first run" };
  const health = new Health({ checks: [db.check], ttl: 60_000, poolSize: 2, mode: "background" });
  const handler = createHandler(health);
  try {
    const first = await health.start();
    assert.equal(first.status, "UP");
    assert.equal(health.evaluations, 1);
    // From now on every run is slow; the loop starts the second one after 50 ms.
    db.state.sleepMs = 1_500;
    db.state.outcome = { status: "DOWN", message: "second run" };
    assert.ok(await eventually(() => db.state.runs === 2), "the loop re-ran the check");

    let slowest = 0;
    for (let i = 0; i < 20; i++) {
      for (const path of ["/health", "/health/ready", "/health/ready/simple"]) {
        const started = performance.now();
        const response = await get(handler, path);
        await response.text();
        slowest = Math.max(slowest, performance.now() - started);
        assert.equal(response.status, 200, `${path} still serves the first run's UP`);
      }
    }
    assert.equal(health.evaluations, 1, "requests did not evaluate or publish");
    assert.equal(db.state.runs, 2, "requests did not start another run");
    const cached = await entryAt(handler, "/health", "db");
    assert.equal(cached.message, "first run");

    // The slow run finishes on its own and is published without any request.
    assert.ok(await eventually(() => health.evaluations === 2, 10_000), "second run published");
    const second = await fetchFull(handler, "/health");
    assert.equal(second.code, 503);
    const entry = second.body.checks[0]!;
    assert.equal(entry.message, "second run");
    assert.ok(entry.durationMs >= 1_400, `the second run took ${entry.durationMs} ms`);
    assert.ok(
      slowest < entry.durationMs / 10,
      `slowest answer ${slowest} ms vs a ${entry.durationMs} ms check`,
    );
  } finally {
    health.close();
  }
});

// Publishing many results

test("a coalescer runs at once after a quiet gap, once at the end of a busy one, and never after cancel", async () => {
  let now = 0;
  let runs = 0;
  const coalescer = new Coalescer(() => void runs++, 50, () => now);
  coalescer.request();
  assert.equal(runs, 1, "the first request runs at once");
  coalescer.request();
  coalescer.request();
  assert.equal(runs, 1, "requests within the gap wait");
  assert.ok(coalescer.pending);
  assert.ok(await eventually(() => runs === 2), "the waiting requests ran once at the gap's end");
  assert.ok(!coalescer.pending);

  now = 1_000;
  coalescer.request();
  assert.equal(runs, 3, "after a quiet gap a request runs at once again");
  coalescer.request();
  assert.ok(coalescer.pending);
  coalescer.cancel();
  assert.ok(!coalescer.pending);
  await sleep(120);
  assert.equal(runs, 3, "a cancelled run does not happen");
});

test("thousands of background runs publish a few times, not once per run, and the newest result is published", async () => {
  const checks = Array.from({ length: 100 }, (_, i) => controlled(`c${i}`, systemClock));
  const health = new Health({
    checks: checks.map((c) => c.check),
    ttl: 1,
    poolSize: 8,
    mode: "background",
  });
  const runs = () => checks.reduce((sum, c) => sum + c.state.runs, 0);
  try {
    await health.start();
    assert.ok(await eventually(() => runs() >= 3_000, 20_000), `only ${runs()} runs`);
    const published = health.evaluations;
    // One publish per run would be 3,000; at most one per 50 ms is far fewer.
    assert.ok(published < runs() / 5, `${published} publishes for ${runs()} runs`);

    for (const c of checks) c.state.outcome = REFUSED;
    assert.ok(
      await eventually(() => health.last?.checks.every((view) => view.status === "DOWN") ?? false),
      "every check's newest result is published",
    );
  } finally {
    health.close();
  }
});

test("a coalesced task that throws when its timer runs it is reported, and nothing escapes the timer", async () => {
  const now = 0;
  let calls = 0;
  const reported: unknown[] = [];
  const coalescer = new Coalescer(
    () => {
      if (++calls === 2) throw new Error("publish failed");
    },
    20,
    () => now,
    (error) => reported.push(error),
  );
  await noneEscape(async () => {
    coalescer.request(); // at once
    coalescer.request(); // at the end of the gap, from the timer: throws there
    assert.ok(await eventually(() => calls === 2), "the timer ran the task");
  }, 50);
  assert.deepEqual(reported.map(String), ["Error: publish failed"]);
  assert.ok(!coalescer.pending);
});

test("a background loop whose clock throws keeps running, and nothing escapes its timer", async () => {
  let reads = 0;
  let runs = 0;
  const clock = () => {
    if (++reads === 1) throw new Error("the clock failed");
    return performance.now();
  };
  const loops = new Scheduler<string>(() => Promise.resolve(void runs++), clock);
  await noneEscape(async () => {
    loops.replace(["db"], () => 10);
    assert.ok(await eventually(() => runs >= 3), `ran ${runs} times`);
    loops.stop();
  }, 50);
});
