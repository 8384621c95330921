// The HTTP handler (src/http/handler.ts) called without a socket: routes,
// methods, status codes, headers, HEAD, trailing slashes and query strings,
// the per-evaluation body cache, single flight under a burst, answering a warm
// cache from peek, and the never-500 error path.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Outcome } from "../../src/checks/check.ts";
import { runner } from "../../src/checks/runner.ts";
import { Health } from "../../src/engine/health.ts";
import { createHandler } from "../../src/http/handler.ts";
import type { RunResult } from "../../src/types.ts";
import { CHECK_META, controlled } from "../_helpers/checks.ts";
import { ManualClock, STAMP } from "../_helpers/clock.ts";
import { request } from "../_helpers/http.ts";
import { gate } from "../_helpers/waits.ts";

const encoder = new TextEncoder();

/** A handler over a Health of `count` controlled checks (`c0`, `c1`, ...) on a manual clock. */
function setup(count = 1, options: { critical?: boolean; outcome?: Outcome; ttl?: number } = {}) {
  const clock = new ManualClock();
  const checks = Array.from({ length: count }, (_, i) => {
    const c = controlled(`c${i}`, clock, { critical: options.critical ?? true });
    if (options.outcome) c.state.outcome = options.outcome;
    return c;
  });
  const health = new Health({
    checks: checks.map((c) => c.check),
    ttl: options.ttl ?? 30_000,
    poolSize: 4,
    clock,
  });
  return { clock, health, checks, handler: createHandler(health) };
}

function assertJsonHeaders(response: Response): void {
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(response.headers.get("cache-control"), "no-store");
}

/** A Health stand-in whose status() fails as given. */
function brokenHealth(status: () => Promise<never>): Health {
  // No cached status, so every request goes to the broken status().
  return { status, peek: () => undefined } as unknown as Health;
}

test("GET /health answers 200 with the full JSON body when every check is UP", async () => {
  const { handler } = setup(2);
  const response = await handler(request("/health"));
  assert.equal(response.status, 200);
  assertJsonHeaders(response);
  const body = await response.json();
  assert.deepEqual(Object.keys(body), ["status", "timestamp", "details", "checks"]);
  assert.equal(body.status, "UP");
  assert.equal(body.timestamp, STAMP);
  assert.deepEqual(body.details, []);
  assert.deepEqual(body.checks, [
    {
      name: "c0",
      type: "custom",
      status: "UP",
      critical: true,
      durationMs: 0,
      message: "fine",
      checkedAt: STAMP,
      lastOutcome: "UP",
      consecutiveFailures: 0,
      consecutiveSuccesses: 1,
    },
    {
      name: "c1",
      type: "custom",
      status: "UP",
      critical: true,
      durationMs: 0,
      message: "fine",
      checkedAt: STAMP,
      lastOutcome: "UP",
      consecutiveFailures: 0,
      consecutiveSuccesses: 1,
    },
  ]);
});

test("GET /health body never carries the internal computedAt key", async () => {
  const { handler, health } = setup();
  const text = await (await handler(request("/health"))).text();
  assert.ok(health.last !== undefined && "computedAt" in health.last, "the status object has it");
  assert.ok(!text.includes("computedAt"), text);
  assert.equal(Object.hasOwn(JSON.parse(text), "computedAt"), false);
});

test("GET /health answers 503 with DOWN and the check's detail when a critical check is DOWN", async () => {
  const { handler } = setup(1, { outcome: { status: "DOWN", message: "connection refused" } });
  const response = await handler(request("/health"));
  assert.equal(response.status, 503);
  assertJsonHeaders(response);
  const body = await response.json();
  assert.equal(body.status, "DOWN");
  assert.equal(body.timestamp, STAMP);
  assert.deepEqual(body.details, ["c0: connection refused"]);
  assert.equal(body.checks[0].status, "DOWN");
  assert.equal(body.checks[0].critical, true);
  assert.equal(body.checks[0].message, "connection refused");
});

test("a non-critical DOWN check keeps 200 and UP but is listed in details", async () => {
  const clock = new ManualClock();
  const db = controlled("db", clock);
  const llm = controlled("llm", clock, { critical: false });
  llm.state.outcome = { status: "DOWN", message: "no model loaded" };
  const health = new Health({ checks: [db.check, llm.check], ttl: 30_000, poolSize: 2, clock });
  const handler = createHandler(health);
  const full = await handler(request("/health"));
  assert.equal(full.status, 200);
  const body = await full.json();
  assert.equal(body.status, "UP");
  assert.deepEqual(body.details, ["llm: no model loaded"]);
  assert.deepEqual(
    body.checks.map((c: RunResult) => [c.name, c.status, c.critical]),
    [["db", "UP", true], ["llm", "DOWN", false]],
  );
  const simple = await handler(request("/health/simple"));
  assert.equal(simple.status, 200);
  assert.equal(await simple.text(), '{"status":"UP"}');
});

test("an inspection that throws becomes a DOWN check and a 503, not an error", async () => {
  const clock = new ManualClock();
  const check = runner(
    { ...CHECK_META, name: "db", type: "custom", critical: true, timeout: 5000 },
    () => {
      throw new Error("socket exploded");
    },
    clock,
  );
  const handler = createHandler(new Health({ checks: [check], ttl: 0, poolSize: 1, clock }));
  const response = await handler(request("/health"));
  assert.equal(response.status, 503);
  assert.deepEqual((await response.json()).details, ["db: check failed: socket exploded"]);
});

test('GET /health/simple answers exactly {"status":"UP"} with 200 when UP', async () => {
  const { handler } = setup();
  const response = await handler(request("/health/simple"));
  assert.equal(response.status, 200);
  assertJsonHeaders(response);
  assert.equal(await response.text(), '{"status":"UP"}');
});

test('GET /health/simple answers exactly {"status":"DOWN"} with 503 when DOWN', async () => {
  const { handler } = setup(1, { outcome: { status: "DOWN", message: "gone" } });
  const response = await handler(request("/health/simple"));
  assert.equal(response.status, 503);
  assertJsonHeaders(response);
  assert.equal(await response.text(), '{"status":"DOWN"}');
});

test("HEAD mirrors GET's status and headers, with GET's byte length and an empty body", async () => {
  for (
    const outcome of [{ status: "UP", message: "café ☕ ok" }, { status: "DOWN", message: "né" }]
  ) {
    // Non-ASCII messages make the byte length differ from the string length.
    const { handler, checks } = setup(2, { outcome: outcome as Outcome });
    for (const path of ["/health", "/health/simple"]) {
      const getResponse = await handler(request(path));
      const getBody = await getResponse.text();
      const head = await handler(request(path, "HEAD"));
      const expected = outcome.status === "UP" ? 200 : 503;
      assert.equal(getResponse.status, expected, `GET ${path}`);
      assert.equal(head.status, expected, `HEAD ${path}`);
      assert.equal(head.headers.get("content-length"), String(encoder.encode(getBody).length));
      if (path === "/health") assert.notEqual(encoder.encode(getBody).length, getBody.length);
      const getHeaders = [...getResponse.headers].filter(([key]) => key !== "content-length");
      const headHeaders = [...head.headers].filter(([key]) => key !== "content-length");
      assert.deepEqual(headHeaders, getHeaders, `HEAD ${path} headers`);
      assertJsonHeaders(head);
      assert.equal(head.body, null);
      assert.equal(await head.text(), "");
    }
    // Two GETs and two HEADs within the ttl share one evaluation.
    assert.deepEqual(checks.map((c) => c.state.runs), [1, 1]);
  }
});

test("HEAD on a cold cache runs the checks like GET does", async () => {
  const { handler, health } = setup(1, { outcome: { status: "DOWN", message: "gone" } });
  const head = await handler(request("/health", "HEAD"));
  assert.equal(head.status, 503);
  assert.equal(health.evaluations, 1);
  assert.equal(await head.text(), "");
});

test("POST, PUT, DELETE, PATCH and OPTIONS answer 405 with Allow: GET, HEAD and a JSON body", async () => {
  const { handler, health } = setup();
  for (const path of ["/health", "/health/simple", "/health/"]) {
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const response = await handler(request(path, method));
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get("allow"), "GET, HEAD");
      assertJsonHeaders(response);
      const body = await response.json();
      assert.equal(typeof body, "object");
      assert.match(body.error, new RegExp(method));
    }
  }
  assert.equal(health.evaluations, 0, "a rejected method runs no check");
});

test("unknown paths answer 404 with a JSON body and run no check", async () => {
  const { handler, health } = setup();
  for (
    const path of [
      "/",
      "/healthz",
      "/health/full",
      "/health/simple/x",
      "/Health",
      "/health/ready/x",
    ]
  ) {
    const response = await handler(request(path));
    assert.equal(response.status, 404, path);
    assertJsonHeaders(response);
    const body = await response.json();
    assert.match(body.error, /no route/);
    assert.ok(body.routes.includes("/health/ready/simple"), "the 404 lists the routes");
  }
  assert.equal(health.evaluations, 0);
});

test("trailing slashes are ignored: /health/, /health// and /health/simple/", async () => {
  const { handler } = setup();
  const full = await (await handler(request("/health"))).text();
  for (const path of ["/health/", "/health//"]) {
    const response = await handler(request(path));
    assert.equal(response.status, 200, path);
    assert.equal(await response.text(), full, path);
  }
  for (const path of ["/health/simple/", "/health/simple//"]) {
    const response = await handler(request(path));
    assert.equal(response.status, 200, path);
    assert.equal(await response.text(), '{"status":"UP"}', path);
  }
});

test("query strings are ignored: /health?x=1 and /health/simple?verbose", async () => {
  const { handler } = setup(1, { outcome: { status: "DOWN", message: "gone" } });
  const full = await (await handler(request("/health"))).text();
  for (const path of ["/health?x=1", "/health/?x=/simple", "/health?"]) {
    const response = await handler(request(path));
    assert.equal(response.status, 503, path);
    assert.equal(await response.text(), full, path);
  }
  const simple = await handler(request("/health/simple?verbose=true"));
  assert.equal(simple.status, 503);
  assert.equal(await simple.text(), '{"status":"DOWN"}');
});

test("a rejecting health.status() answers 503 with an internal-error body and calls onError", async () => {
  const error = new Error("pool exploded");
  const seen: unknown[] = [];
  const handler = createHandler(brokenHealth(() => Promise.reject(error)), {
    onError: (e) => seen.push(e),
  });
  for (const path of ["/health", "/health/simple"]) {
    const response = await handler(request(path));
    assert.equal(response.status, 503, path);
    assertJsonHeaders(response);
    assert.deepEqual(await response.json(), {
      status: "DOWN",
      details: ["internal error: pool exploded"],
    });
  }
  assert.deepEqual(seen, [error, error]);
  assert.equal(seen[0], error, "onError gets the very error thrown");
});

test("a non-Error rejection and a synchronous throw also answer 503, never 500", async () => {
  const seen: unknown[] = [];
  const rejectsString = createHandler(brokenHealth(() => Promise.reject("disk full")), {
    onError: (e) => seen.push(e),
  });
  const response = await rejectsString(request("/health"));
  assert.equal(response.status, 503);
  assert.deepEqual(await response.json(), {
    status: "DOWN",
    details: ["internal error: disk full"],
  });
  const throwsSync = createHandler(brokenHealth(() => {
    throw new TypeError("not a function");
  }));
  const sync = await throwsSync(request("/health"));
  assert.equal(sync.status, 503);
  assert.deepEqual((await sync.json()).details, ["internal error: not a function"]);
  assert.deepEqual(seen, ["disk full"]);
});

test("HEAD on the error path answers 503 with the error body's length and no body", async () => {
  const handler = createHandler(brokenHealth(() => Promise.reject(new Error("boom"))));
  const getBody = await (await handler(request("/health"))).text();
  const head = await handler(request("/health", "HEAD"));
  assert.equal(head.status, 503);
  assert.equal(head.headers.get("content-length"), String(encoder.encode(getBody).length));
  assert.equal(await head.text(), "");
});

test("two GETs within the ttl return identical bodies from one check run", async () => {
  const { handler, checks, clock, health } = setup(1, { ttl: 10_000 });
  const first = await (await handler(request("/health"))).text();
  clock.advance(9_999);
  const second = await (await handler(request("/health"))).text();
  assert.equal(second, first);
  assert.equal(checks[0]!.state.runs, 1);
  assert.equal(health.evaluations, 1);
  assert.equal(JSON.parse(second).timestamp, STAMP, "a cached answer keeps its timestamp");
});

test("after the ttl passes a new evaluation runs and the body shows the new result", async () => {
  const { handler, checks, clock, health } = setup(1, { ttl: 10_000 });
  const first = await handler(request("/health"));
  assert.equal(first.status, 200);
  const firstBody = await first.json();
  checks[0]!.state.outcome = { status: "DOWN", message: "went away" };
  clock.advance(10_000);
  const second = await handler(request("/health"));
  assert.equal(second.status, 503);
  const body = await second.json();
  assert.equal(checks[0]!.state.runs, 2);
  assert.equal(health.evaluations, 2);
  assert.equal(body.timestamp, "2026-11-21T11:24:51.342Z");
  assert.notEqual(body.timestamp, firstBody.timestamp);
  assert.deepEqual(body.details, ["c0: went away"]);
  const simple = await handler(request("/health/simple"));
  assert.equal(await simple.text(), '{"status":"DOWN"}');
  assert.equal(checks[0]!.state.runs, 2, "/health/simple reuses the same evaluation");
});

test("100 concurrent GET /health on a cold cache run the check exactly once", async () => {
  const clock = new ManualClock();
  const slow = controlled("slow", clock);
  const hold = gate();
  slow.state.gate = hold.promise;
  slow.state.outcome = { status: "UP", message: "done" };
  const health = new Health({ checks: [slow.check], ttl: 30_000, poolSize: 4, clock });
  const handler = createHandler(health);
  const pending = Array.from({ length: 100 }, () => handler(request("/health")));
  // Every request is now waiting on the one evaluation that is still running.
  hold.open();
  const responses = await Promise.all(pending);
  const bodies = await Promise.all(responses.map((response) => response.text()));
  assert.equal(slow.state.runs, 1);
  assert.equal(health.evaluations, 1);
  assert.ok(responses.every((response) => response.status === 200));
  assert.equal(new Set(bodies).size, 1, "every caller got the same body");
  assert.equal(JSON.parse(bodies[0]!).checks[0].message, "done");
});

test("a warm cache is answered at once from peek, without calling status()", async () => {
  const { health } = setup(2);
  const cached = await health.status("all");
  let calls = 0;
  const warm = {
    peek: (scope: string) => scope === "all" ? cached : undefined,
    status: () => {
      calls++;
      return Promise.reject(new Error("status() must not be called on a warm cache"));
    },
  } as unknown as Health;
  const handler = createHandler(warm);
  const hit = handler(request("/health/simple"));
  assert.ok(hit instanceof Response, "a warm cache is answered at once, not as a promise");
  assert.equal(hit.headers.get("cache-control"), "no-store");
  assert.equal(hit.headers.get("content-type"), "application/json");
  const full = await handler(request("/health"));
  assert.equal(full.status, 200);
  assert.equal((await full.json()).checks.length, 2);
  const simple = await handler(request("/health/simple"));
  assert.deepEqual(await simple.json(), { status: "UP" });
  assert.equal(calls, 0);
  // A scope with nothing cached goes to status().
  const ready = await handler(request("/health/ready"));
  assert.equal(ready.status, 503);
  assert.equal(calls, 1);
});

test("an error reporter that throws still leaves the answer at 503, never 500", async () => {
  const handler = createHandler(brokenHealth(() => Promise.reject(new Error("boom"))), {
    onError: () => {
      throw new Error("logger down");
    },
  });
  const response = await handler(request("/health"));
  assert.equal(response.status, 503);
  assert.deepEqual(await response.json(), { status: "DOWN", details: ["internal error: boom"] });
});
