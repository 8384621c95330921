// How each scope's status is summarised (src/engine/summary.ts), seen through
// Health and the HTTP handler: which checks /health/live, /health/ready and
// /health/started list and what they answer, the /simple bodies, empty
// groups, the startup latch, readiness going DOWN first while draining, and
// the non-critical `config: ...` detail of a rejected reload.

import assert from "node:assert/strict";
import { test } from "node:test";
import { controlled, REFUSED, UP } from "../_helpers/checks.ts";
import { ManualClock } from "../_helpers/clock.ts";
import { awaitingFirstResult, onDemand, TTL } from "../_helpers/health.ts";
import { fetchFull, type FullBody, get, namesAt } from "../_helpers/http.ts";

// Groups

test("each group endpoint lists only its group's checks and /health lists them all", async () => {
  const clock = new ManualClock();
  const proc = controlled("proc", clock, { groups: ["live"] });
  const db = controlled("db", clock); // no groups: ready only
  const boot = controlled("boot", clock, { groups: ["started"] });
  const api = controlled("api", clock, { groups: ["live", "ready"] });
  const { handler } = onDemand([proc.check, db.check, boot.check, api.check], clock);

  assert.deepEqual(await namesAt(handler, "/health"), ["proc", "db", "boot", "api"]);
  assert.deepEqual(await namesAt(handler, "/health/live"), ["proc", "api"]);
  assert.deepEqual(await namesAt(handler, "/health/ready"), ["db", "api"]);
  assert.deepEqual(await namesAt(handler, "/health/started"), ["boot"]);
  for (const path of ["/health", "/health/live", "/health/ready", "/health/started"]) {
    assert.equal((await get(handler, path)).status, 200, path);
  }
  assert.deepEqual([proc, db, boot, api].map((c) => c.state.runs), [1, 1, 1, 1]);
});

test("a DOWN check only in the live group makes /health/live and /health 503 but not /health/ready", async () => {
  const clock = new ManualClock();
  const proc = controlled("proc", clock, { groups: ["live"] });
  const db = controlled("db", clock, { groups: ["ready"] });
  const boot = controlled("boot", clock, { groups: ["started"] });
  const { handler } = onDemand([proc.check, db.check, boot.check], clock);
  assert.equal((await get(handler, "/health")).status, 200);

  proc.state.outcome = { status: "DOWN", message: "deadlocked" };
  clock.advance(TTL);
  const live = await fetchFull(handler, "/health/live");
  assert.equal(live.code, 503);
  assert.equal(live.body.status, "DOWN");
  assert.deepEqual(live.body.details, ["proc: deadlocked"]);
  const ready = await fetchFull(handler, "/health/ready");
  assert.equal(ready.code, 200);
  assert.equal(ready.body.status, "UP");
  assert.deepEqual(ready.body.details, [], "a live-only check's failure is not a ready detail");
  assert.equal((await get(handler, "/health/started")).status, 200);
  const all = await fetchFull(handler, "/health");
  assert.equal(all.code, 503);
  assert.deepEqual(all.body.details, ["proc: deadlocked"]);
  assert.equal(proc.state.runs, 2, "the four requests shared one evaluation");
});

test("the /simple suffix and the ?simple query give the one-field body with the full route's code", async () => {
  const clock = new ManualClock();
  const proc = controlled("proc", clock, { groups: ["live"] });
  proc.state.outcome = { status: "DOWN", message: "deadlocked" };
  const db = controlled("db", clock, { groups: ["ready", "started"] });
  const { handler } = onDemand([proc.check, db.check], clock);

  const expected = new Map([
    ["/health", 503],
    ["/health/live", 503],
    ["/health/ready", 200],
    ["/health/started", 200],
  ]);
  for (const [path, code] of expected) {
    const full = await get(handler, path);
    assert.equal(full.status, code, path);
    assert.equal((await full.json() as FullBody).status, code === 200 ? "UP" : "DOWN");
    const body = code === 200 ? '{"status":"UP"}' : '{"status":"DOWN"}';
    for (
      const variant of [
        `${path}/simple`,
        `${path}/simple/`,
        `${path}?simple`,
        `${path}?simple=1`,
        `${path}/?verbose&simple`,
      ]
    ) {
      const response = await get(handler, variant);
      assert.equal(response.status, code, variant);
      assert.equal(await response.text(), body, variant);
    }
  }
  assert.equal(proc.state.runs, 1);
});

test("with every check in ready, /health/live and /health/started answer 200 UP with no checks", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock);
  const cache = controlled("cache", clock, { groups: ["ready"] });
  db.state.outcome = REFUSED;
  const { handler } = onDemand([db.check, cache.check], clock);

  assert.equal((await get(handler, "/health/ready")).status, 503, "ready itself is DOWN");
  for (const path of ["/health/live", "/health/started"]) {
    const { code, body } = await fetchFull(handler, path);
    assert.equal(code, 200, path);
    assert.equal(body.status, "UP", path);
    assert.deepEqual(body.checks, [], path);
    assert.deepEqual(body.details, [], path);
  }
});

test("a ready group with no checks answers 200 once results exist", async () => {
  const clock = new ManualClock();
  const proc = controlled("proc", clock, { groups: ["live"] });
  const { handler } = onDemand([proc.check], clock);
  const { code, body } = await fetchFull(handler, "/health/ready");
  assert.equal(code, 200);
  assert.equal(body.status, "UP");
  assert.deepEqual(body.checks, []);
  assert.equal(proc.state.runs, 0, "a readiness request runs no liveness-only check");
});

// Startup latch

test("/health/started stays 200 once its checks have been UP, even after they go DOWN", async () => {
  const clock = new ManualClock();
  const boot = controlled("boot", clock, { groups: ["started"] });
  boot.state.outcome = { status: "DOWN", message: "warming up" };
  const { handler } = onDemand([boot.check], clock);
  assert.equal((await get(handler, "/health/started")).status, 503, "not started yet");

  boot.state.outcome = UP;
  clock.advance(TTL);
  assert.equal((await get(handler, "/health/started")).status, 200);
  assert.equal((await get(handler, "/health")).status, 200);

  boot.state.outcome = { status: "DOWN", message: "crashed" };
  clock.advance(TTL);
  const started = await fetchFull(handler, "/health/started");
  assert.equal(started.code, 200, "the startup probe stays answered");
  assert.equal(started.body.status, "UP");
  assert.equal(started.body.checks[0]!.status, "DOWN", "the check itself is shown DOWN");
  const all = await fetchFull(handler, "/health");
  assert.equal(all.code, 503);
  assert.deepEqual(all.body.details, ["boot: crashed"]);
  assert.equal(boot.state.runs, 3);
});

// A non-critical started check cannot hold /health/started DOWN, so it cannot hold the
// latch open either.
test("/health/started stays 200 once it answered 200, even while a non-critical started check is DOWN", async () => {
  const clock = new ManualClock();
  const boot = controlled("boot", clock, { groups: ["started"] });
  const warm = controlled("warm", clock, { groups: ["started"], critical: false });
  warm.state.outcome = { status: "DOWN", message: "cache cold" };
  const { handler } = onDemand([boot.check, warm.check], clock);
  assert.equal((await get(handler, "/health/started")).status, 200, "started answered UP");

  boot.state.outcome = { status: "DOWN", message: "crashed" };
  clock.advance(TTL);
  assert.equal((await get(handler, "/health/started")).status, 200);
});

// Drain

test("drain() makes ready 503 with 'shutting down' first while live stays 200", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { groups: ["live", "ready"] });
  const cache = controlled("cache", clock, { critical: false });
  cache.state.outcome = { status: "DOWN", message: "evicted" };
  const { health, handler } = onDemand([db.check, cache.check], clock);
  const before = await fetchFull(handler, "/health/ready");
  assert.equal(before.code, 200);
  assert.deepEqual(before.body.details, ["cache: evicted"]);

  health.drain();
  const ready = await fetchFull(handler, "/health/ready");
  assert.equal(ready.code, 503);
  assert.equal(ready.body.status, "DOWN");
  assert.deepEqual(ready.body.details, ["shutting down", "cache: evicted"]);
  assert.deepEqual(ready.body.checks.map((c) => c.name), ["db", "cache"]);
  const simple = await get(handler, "/health/ready?simple");
  assert.equal(simple.status, 503);
  assert.equal(await simple.text(), '{"status":"DOWN"}');
  const live = await fetchFull(handler, "/health/live");
  assert.equal(live.code, 200);
  assert.equal(live.body.status, "UP");
  assert.ok(!live.body.details.includes("shutting down"), JSON.stringify(live.body));
  assert.equal(db.state.runs, 1, "drain answers from the cached results");
});

test("drain() before the first result still puts 'shutting down' first", async () => {
  const { hold, health, handler } = awaitingFirstResult();
  try {
    health.drain();
    const ready = await fetchFull(handler, "/health/ready");
    assert.equal(ready.code, 503);
    assert.deepEqual(ready.body.details, ["shutting down", "no result yet"]);
    assert.equal((await get(handler, "/health/live")).status, 200);
  } finally {
    hold.open();
    health.close();
  }
});

// Config problems

test("setConfigProblem adds a 'config: ...' detail without changing the status code", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock);
  const { health, handler } = onDemand([db.check], clock);
  assert.deepEqual((await fetchFull(handler, "/health")).body.details, []);

  health.setConfigProblem("reload rejected: bad yaml");
  for (const path of ["/health", "/health/ready", "/health/live"]) {
    const { code, body } = await fetchFull(handler, path);
    assert.equal(code, 200, path);
    assert.equal(body.status, "UP", path);
    assert.deepEqual(body.details, ["config: reload rejected: bad yaml"], path);
  }
  assert.equal(await (await get(handler, "/health/simple")).text(), '{"status":"UP"}');

  db.state.outcome = REFUSED;
  clock.advance(TTL);
  const down = await fetchFull(handler, "/health");
  assert.equal(down.code, 503, "a DOWN check stays 503 with the problem shown");
  assert.deepEqual(down.body.details, ["db: refused", "config: reload rejected: bad yaml"]);

  health.setConfigProblem(undefined);
  const cleared = await fetchFull(handler, "/health");
  assert.equal(cleared.code, 503);
  assert.deepEqual(cleared.body.details, ["db: refused"]);
  assert.equal(db.state.runs, 2, "setting and clearing the problem ran no check");
});

// A --watch reload can be rejected while the first, slow checks still run.
test("setConfigProblem shows its 'config: ...' detail before the first result too", async () => {
  const { hold, health, handler } = awaitingFirstResult();
  try {
    health.setConfigProblem("reload rejected: bad yaml");
    const ready = await fetchFull(handler, "/health/ready");
    assert.equal(ready.code, 503);
    assert.ok(ready.body.details.includes("no result yet"), JSON.stringify(ready.body));
    assert.ok(
      ready.body.details.includes("config: reload rejected: bad yaml"),
      JSON.stringify(ready.body),
    );
  } finally {
    hold.open();
    health.close();
  }
});
