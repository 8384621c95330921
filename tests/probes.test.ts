// Kubernetes-style probe behaviour of the engine, seen through the HTTP handler:
// group membership of /health/live, /health/ready and /health/started, the
// simple bodies, empty groups, answers before the first result, background
// refresh that never waits, maxWait's stale answers, flap damping
// (failureThreshold / successThreshold), the startup latch, drain, config
// problems, reload keeping check state, and single-flight check runs.

import assert from "node:assert/strict";
import { test } from "node:test";
import { type Clock, systemClock } from "../src/clock.ts";
import { Health } from "../src/engine/health.ts";
import { createHandler, type Handler } from "../src/http/handler.ts";
import { CHECK_META, eventually, ManualClock } from "./helpers.ts";
import type { Check, Outcome } from "../src/checks/check.ts";
import { wrapProbe } from "../src/checks/wrap_probe.ts";

const BASE = "http://vitals.test";

const get = (handler: Handler, path: string) => handler(new Request(`${BASE}${path}`));

/** A served check entry, as in the `checks` array of a full body. */
interface CheckEntry {
  name: string;
  type: string;
  status: string;
  critical: boolean;
  durationMs: number;
  message: string;
  checkedAt: string;
  lastOutcome: string;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
}

/** A full `/health...` body. */
interface FullBody {
  status: string;
  timestamp: string;
  details: string[];
  checks: CheckEntry[];
  stale?: boolean;
  ageMs?: number;
}

/** GETs `path` and returns the status code and the parsed full body. */
async function fetchFull(
  handler: Handler,
  path: string,
): Promise<{ code: number; body: FullBody }> {
  const response = await get(handler, path);
  return { code: response.status, body: await response.json() as FullBody };
}

/** The names of the checks listed by `path`. */
async function namesAt(handler: Handler, path: string): Promise<string[]> {
  return (await fetchFull(handler, path)).body.checks.map((check) => check.name);
}

/** The one check entry called `name` at `path`. */
async function entryAt(handler: Handler, path: string, name: string): Promise<CheckEntry> {
  const { body } = await fetchFull(handler, path);
  const entry = body.checks.find((check) => check.name === name);
  assert.ok(entry, `${name} is listed at ${path}: ${JSON.stringify(body)}`);
  return entry;
}

/** Sleeps `ms` of real time; ends early (without error) when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** A promise the test resolves when it wants. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

type Meta = Partial<Omit<Check, "run" | "name">>;

const UP: Outcome = { status: "UP", message: "fine" };
const REFUSED: Outcome = { status: "DOWN", message: "refused" };

/**
 * A real wrapProbe check whose outcome the test controls. Each run counts
 * itself, waits for `state.gate` if set, sleeps `state.sleepMs` of real time
 * (abortable) if set, and returns `state.outcome`.
 */
function controlled(name: string, clock: Clock, meta: Meta = {}) {
  const state = {
    runs: 0,
    outcome: UP,
    sleepMs: 0,
    gate: undefined as Promise<void> | undefined,
  };
  const check = wrapProbe(
    { ...CHECK_META, type: "custom", critical: true, timeout: 10_000, ...meta, name },
    async (signal) => {
      state.runs++;
      if (state.gate) await state.gate;
      if (state.sleepMs > 0) await sleep(state.sleepMs, signal);
      await Promise.resolve();
      return state.outcome;
    },
    clock,
  );
  return { check, state };
}

/** An on-demand Health on a manual clock; `clock.advance(TTL)` forces the next evaluation. */
const TTL = 10_000;

function onDemand(checks: Check[], clock: ManualClock, extra: { maxWait?: number } = {}) {
  const health = new Health({ checks, ttl: TTL, poolSize: 4, clock, ...extra });
  return { health, handler: createHandler(health) };
}

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

// Background mode

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

// maxWait

test("past maxWait a request gets the last result marked stale, and fresh answers drop the mark", async () => {
  const clock = new ManualClock();
  // The check's own duration is measured on the real clock; the engine's ages on the manual one.
  const db = controlled("db", systemClock);
  db.state.outcome = { status: "UP", message: "first run" };
  const { health, handler } = onDemand([db.check], clock, { maxWait: 100 });
  try {
    const first = await fetchFull(handler, "/health");
    assert.equal(first.code, 200);
    assert.equal("stale" in first.body, false);

    db.state.sleepMs = 1_500;
    db.state.outcome = { status: "DOWN", message: "second run" };
    clock.advance(TTL + 2_500);
    const started = performance.now();
    const stale = await fetchFull(handler, "/health");
    const waited = performance.now() - started;
    assert.equal(db.state.runs, 2, "the request started the second run");
    assert.equal(stale.code, 200, "the stale answer is the first run's UP");
    assert.equal(stale.body.stale, true);
    assert.equal(typeof stale.body.ageMs, "number");
    assert.equal(stale.body.ageMs, TTL + 2_500);
    assert.equal(stale.body.checks[0]!.message, "first run");
    assert.ok(waited >= 50, `it waited for maxWait first (${waited} ms)`);
    const simple = await get(handler, "/health/simple");
    assert.equal(await simple.text(), '{"status":"UP"}');
    assert.equal(db.state.runs, 2, "a second stale request joined the running evaluation");

    const finished = await health.evaluate(); // joins the running evaluation
    assert.equal(db.state.runs, 2);
    const duration = finished.checks[0]!.durationMs;
    assert.ok(duration >= 1_400, `the second run took ${duration} ms`);
    assert.ok(waited < duration / 3, `stale answer after ${waited} ms vs a ${duration} ms check`);

    const fresh = await get(handler, "/health");
    const text = await fresh.text();
    assert.equal(fresh.status, 503);
    const body = JSON.parse(text) as FullBody;
    assert.equal(body.checks[0]!.message, "second run");
    assert.equal("stale" in body, false, text);
    assert.equal("ageMs" in body, false, text);
    assert.equal(db.state.runs, 2);
  } finally {
    health.close();
  }
});

test("past maxWait with no result yet, live answers 200 and ready 503 'no result yet'", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { groups: ["live", "ready"] });
  const hold = gate();
  db.state.gate = hold.promise;
  const { health, handler } = onDemand([db.check], clock, { maxWait: 50 });
  try {
    const live = await fetchFull(handler, "/health/live");
    assert.equal(live.code, 200);
    assert.deepEqual(live.body.checks, []);
    const ready = await fetchFull(handler, "/health/ready");
    assert.equal(ready.code, 503);
    assert.deepEqual(ready.body.details, ["no result yet"]);
    assert.equal("stale" in ready.body, false, "nothing to be stale about");
    assert.equal(db.state.runs, 1, "both requests waited on the one running evaluation");
    assert.equal(health.evaluations, 0);
    hold.open();
    await health.evaluate();
    assert.equal((await get(handler, "/health/ready")).status, 200);
    assert.equal(db.state.runs, 1);
  } finally {
    hold.open();
    health.close();
  }
});

// Flap damping

test("a check counts as DOWN only after failureThreshold consecutive failures", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { failureThreshold: 3 });
  const { handler } = onDemand([db.check], clock);

  const first = await fetchFull(handler, "/health/ready");
  assert.equal(first.code, 200);
  assert.equal(first.body.checks[0]!.status, "UP");

  db.state.outcome = REFUSED;
  for (const failures of [1, 2]) {
    clock.advance(TTL);
    const { code, body } = await fetchFull(handler, "/health/ready");
    assert.equal(code, 200, `after ${failures} failure(s) the scope stays UP`);
    assert.equal(body.status, "UP");
    assert.deepEqual(body.details, []);
    const entry = body.checks[0]!;
    assert.equal(entry.status, "UP", "counted status");
    assert.equal(entry.lastOutcome, "DOWN");
    assert.equal(entry.consecutiveFailures, failures);
    assert.equal(entry.consecutiveSuccesses, 0);
    assert.equal(entry.message, "refused");
  }

  clock.advance(TTL);
  const third = await fetchFull(handler, "/health/ready");
  assert.equal(third.code, 503);
  assert.equal(third.body.status, "DOWN");
  assert.deepEqual(third.body.details, ["db: refused"]);
  const entry = third.body.checks[0]!;
  assert.equal(entry.status, "DOWN");
  assert.equal(entry.lastOutcome, "DOWN");
  assert.equal(entry.consecutiveFailures, 3);
  assert.equal(db.state.runs, 4);
});

test("an UP run between failures resets the failure count", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { failureThreshold: 2 });
  const { handler } = onDemand([db.check], clock);
  const outcomes = [UP, REFUSED, UP, REFUSED];
  const seen: [string, number][] = [];
  for (const outcome of outcomes) {
    db.state.outcome = outcome;
    clock.advance(TTL);
    const entry = await entryAt(handler, "/health", "db");
    seen.push([entry.status, entry.consecutiveFailures]);
  }
  assert.deepEqual(seen, [["UP", 0], ["UP", 1], ["UP", 0], ["UP", 1]]);
  clock.advance(TTL);
  assert.equal((await get(handler, "/health")).status, 503, "two in a row do count");
});

test("a check's first result counts at once, whatever its thresholds", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { failureThreshold: 5, successThreshold: 5 });
  db.state.outcome = REFUSED;
  const { handler } = onDemand([db.check], clock);
  const { code, body } = await fetchFull(handler, "/health");
  assert.equal(code, 503);
  assert.equal(body.checks[0]!.status, "DOWN");
  assert.equal(body.checks[0]!.consecutiveFailures, 1);
  assert.deepEqual(body.details, ["db: refused"]);
});

test("a DOWN check counts as UP again only after successThreshold consecutive successes", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { successThreshold: 2 });
  db.state.outcome = REFUSED;
  const { handler } = onDemand([db.check], clock);
  assert.equal((await get(handler, "/health/ready")).status, 503);

  db.state.outcome = UP;
  clock.advance(TTL);
  const once = await fetchFull(handler, "/health/ready");
  assert.equal(once.code, 503);
  assert.equal(once.body.status, "DOWN");
  const entry = once.body.checks[0]!;
  assert.equal(entry.status, "DOWN", "counted status");
  assert.equal(entry.lastOutcome, "UP");
  assert.equal(entry.consecutiveSuccesses, 1);
  assert.equal(entry.consecutiveFailures, 0);
  assert.deepEqual(once.body.details, ["db: still counted DOWN after 1 UP result: fine"]);

  clock.advance(TTL);
  const twice = await fetchFull(handler, "/health/ready");
  assert.equal(twice.code, 200);
  assert.equal(twice.body.status, "UP");
  assert.deepEqual(twice.body.details, []);
  assert.equal(twice.body.checks[0]!.status, "UP");
  assert.equal(twice.body.checks[0]!.consecutiveSuccesses, 2);
});

test("the still-counted-DOWN detail counts several UP results in the plural", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { successThreshold: 3 });
  db.state.outcome = REFUSED;
  const { handler } = onDemand([db.check], clock);
  await get(handler, "/health");
  db.state.outcome = { status: "UP", message: "back" };
  clock.advance(TTL);
  await get(handler, "/health");
  clock.advance(TTL);
  const { code, body } = await fetchFull(handler, "/health");
  assert.equal(code, 503);
  assert.deepEqual(body.details, ["db: still counted DOWN after 2 UP results: back"]);
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
  // Today: 503, because warm never counted UP and so the latch was never set.
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
  const db = controlled("db", new ManualClock());
  const hold = gate();
  db.state.gate = hold.promise;
  const health = new Health({ checks: [db.check], ttl: 60_000, poolSize: 1, mode: "background" });
  const handler = createHandler(health);
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
    health.setConfigProblem("reload rejected: bad yaml");
    const ready = await fetchFull(handler, "/health/ready");
    assert.equal(ready.code, 503);
    // Today: ["no result yet"] only.
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

// Reload

test("reload keeps an unchanged check's counters and runs a new check before the swap", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { key: "db-v1", failureThreshold: 3 });
  const { health, handler } = onDemand([db.check], clock);
  await get(handler, "/health");
  db.state.outcome = REFUSED;
  clock.advance(TTL);
  const before = await entryAt(handler, "/health", "db");
  assert.deepEqual([before.status, before.lastOutcome, before.consecutiveFailures], [
    "UP",
    "DOWN",
    1,
  ]);

  // The same definition (same key) as a new object, plus a new slow check.
  const db2 = controlled("db", clock, { key: "db-v1", failureThreshold: 3 });
  db2.state.outcome = REFUSED;
  const cache = controlled("cache", clock, { key: "cache-v1" });
  cache.state.outcome = { status: "UP", message: "cache fine" };
  const hold = gate();
  cache.state.gate = hold.promise;
  const evaluations = health.evaluations;
  const reloading = health.reload([db2.check, cache.check], { ttl: TTL, poolSize: 4 });
  await Promise.resolve();
  assert.equal(cache.state.runs, 1, "the new check runs before the swap");
  assert.deepEqual(
    await namesAt(handler, "/health"),
    ["db"],
    "until it finishes, requests see the old config",
  );
  hold.open();
  await reloading;
  assert.equal(health.evaluations, evaluations + 1, "the reload published once");

  const after = await fetchFull(handler, "/health");
  assert.equal(health.evaluations, evaluations + 1, "the first status after reload needs no run");
  assert.deepEqual(after.body.checks.map((c) => c.name), ["db", "cache"]);
  const cacheEntry = after.body.checks[1]!;
  assert.equal(cacheEntry.status, "UP");
  assert.equal(cacheEntry.message, "cache fine");
  const kept = after.body.checks[0]!;
  assert.equal(kept.consecutiveFailures, 1, "the counters survived the reload");
  assert.equal(db2.state.runs, 0, "an unchanged check that is not due is not re-run");

  // A second failure is the 2nd of 3, not a first result: still counted UP.
  clock.advance(TTL);
  const next = await entryAt(handler, "/health", "db");
  assert.equal(db2.state.runs, 1);
  assert.equal(db.state.runs, 2, "the old check object is no longer run");
  assert.deepEqual([next.status, next.lastOutcome, next.consecutiveFailures], ["UP", "DOWN", 2]);
  clock.advance(TTL);
  const third = await fetchFull(handler, "/health");
  assert.equal(third.code, 503);
  assert.equal(third.body.checks[0]!.consecutiveFailures, 3);
  assert.equal(cache.state.runs, 3);
});

test("reload starts a check whose key changed afresh: its first result counts at once", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { key: "db-v1", failureThreshold: 3 });
  const { health, handler } = onDemand([db.check], clock);
  await get(handler, "/health");
  const moved = controlled("db", clock, { key: "db-v2", failureThreshold: 3 });
  moved.state.outcome = REFUSED;
  await health.reload([moved.check], { ttl: TTL, poolSize: 4 });
  assert.equal(moved.state.runs, 1, "a changed check runs before the swap");
  const { code, body } = await fetchFull(handler, "/health");
  assert.equal(code, 503, "no damping carried over from the old definition");
  assert.equal(body.checks[0]!.consecutiveFailures, 1);
  assert.equal(body.checks[0]!.consecutiveSuccesses, 0);
});

// Single flight

test("an evaluate() call during a running on-demand evaluation joins it: the probe runs once", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock);
  const hold = gate();
  db.state.gate = hold.promise;
  const { health, handler } = onDemand([db.check], clock);

  const request = get(handler, "/health");
  await Promise.resolve();
  const first = health.evaluate();
  const second = health.evaluate();
  const everything = health.evaluate(true);
  assert.equal(second, first, "the same evaluation promise");
  assert.equal(everything, first);
  assert.equal(db.state.runs, 1);
  hold.open();
  const [response, a, b, c] = await Promise.all([request, first, second, everything]);
  assert.equal(response.status, 200);
  assert.equal(a, b);
  assert.equal(b, c);
  assert.equal(db.state.runs, 1);
  assert.equal(health.evaluations, 1);

  // The next evaluation is a new one and runs the probe again.
  clock.advance(TTL);
  await health.evaluate();
  assert.equal(db.state.runs, 2);
  assert.equal(health.evaluations, 2);
});

test("a reload while a check is running joins that run instead of starting a second one", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock, { key: "db" });
  const hold = gate();
  db.state.gate = hold.promise;
  const { health } = onDemand([db.check], clock);
  const evaluation = health.evaluate();
  await Promise.resolve();
  assert.equal(db.state.runs, 1);
  const reloading = health.reload([db.check], { ttl: TTL, poolSize: 4 });
  await Promise.resolve();
  assert.equal(db.state.runs, 1, "the reload waits on the running check");
  hold.open();
  const [, reloaded] = await Promise.all([evaluation, reloading]);
  assert.equal(db.state.runs, 1);
  assert.equal(reloaded.status, "UP");
  assert.equal(reloaded.checks[0]!.consecutiveSuccesses, 1, "one run counted once");
});
