// The background refresh mode (src/engine/health.ts): requests never wait
// for a check. Before the first result they are answered at once (liveness UP,
// readiness and startup DOWN with "no result yet"), and afterwards from the
// last published results while a slow re-run goes on, without evaluating.
// Results that arrive together are published together (at most one publish
// per 50 ms), and the newest result is always published in the end.

import assert from "node:assert/strict";
import { test } from "node:test";
import { systemClock } from "../../src/clock.ts";
import { Health } from "../../src/engine/health.ts";
import { createHandler } from "../../src/http/handler.ts";
import { controlled, REFUSED } from "../_helpers/checks.ts";
import { awaitingFirstResult } from "../_helpers/health.ts";
import { entryAt, fetchFull, get } from "../_helpers/http.ts";
import { eventually } from "../_helpers/waits.ts";

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
  const { db, hold, health, handler } = awaitingFirstResult();
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
