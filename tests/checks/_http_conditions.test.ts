/**
 * An http check's conditions (src/checks/_http_conditions.ts, with the keys of
 * src/config/schema.ts) against real node:http servers on 127.0.0.1: the
 * method (GET, HEAD, POST with a body the server receives), expectStatus codes,
 * ranges and classes, bodyMatches, json paths and operators, warnAfter and
 * downAfter on a server that delays its answer, the order in which conditions
 * decide, the config errors for each key, and that no secret (a header value,
 * the request body) appears in a message. Each check is loaded from config
 * text, so the schema's reading of the keys is tested with the check. A body
 * cut short by an out-of-process peer is in
 * tests/scenarios/external/misbehaving_peers.test.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { test } from "node:test";
import { createCheck } from "../../src/checks/create_check.ts";
import { ConfigError } from "../../src/config/error.ts";
import { parseConfig } from "../../src/config/load.ts";
import type { RunResult } from "../../src/types.ts";
import { platform } from "../_helpers/platform.ts";
import { slowText } from "../_helpers/backtracking.ts";

/** A request as the server saw it. */
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

interface NodeServer {
  readonly url: string;
  readonly seen: Seen[];
  close(): Promise<void>;
}

/**
 * A node:http server on 127.0.0.1 port 0 that reads each request's body, then
 * lets `handler` answer.
 */
async function serve(
  handler: (request: Seen, response: ServerResponse) => void,
): Promise<NodeServer> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const chunks: Uint8Array[] = [];
    request.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    request.on("end", () => {
      const entry = {
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      seen.push(entry);
      handler(entry, response);
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return {
    url: `http://127.0.0.1:${address.port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers `body` with `status` (JSON unless a content type is given). */
function answer(response: ServerResponse, status: number, body: string, type = "application/json") {
  response.writeHead(status, { "content-type": type });
  response.end(body);
}

/** Loads one http check from config text (JSON is YAML) with `keys`, as vitals would. */
function httpCheck(url: string, keys: Record<string, unknown> = {}) {
  const text = JSON.stringify({ checks: [{ name: "web", type: "http", url, ...keys }] });
  return createCheck(parseConfig(text, "vitals.yaml", {}).checks[0]!, { platform });
}

/** Runs one http check with `keys` against `url`. */
function run(url: string, keys: Record<string, unknown> = {}): Promise<RunResult> {
  return httpCheck(url, keys).run();
}

/** The problems (`path: message`) of a config with one http check holding `keys`. */
function problems(keys: Record<string, unknown>, top: Record<string, unknown> = {}): string[] {
  const text = JSON.stringify({
    ...top,
    checks: [{ name: "web", type: "http", url: "http://127.0.0.1:1/", ...keys }],
  });
  try {
    parseConfig(text, "vitals.yaml", {});
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
  return [];
}

// ---------------------------------------------------------------------------
// method

test("POST sends the configured body and Content-Type, and the server receives them", async () => {
  const server = await serve((_, response) => answer(response, 200, '{"ok":true}'));
  try {
    const body = '{"query":"{ health }"}';
    const result = await run(`${server.url}/graphql`, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json" },
      json: [{ path: "$.ok", equals: true }],
    });
    assert.equal(result.status, "UP", result.message);
    assert.equal(result.message, "HTTP 200, $.ok is true");
    const [seen] = server.seen;
    assert.equal(seen?.method, "POST");
    assert.equal(seen?.body, body);
    assert.equal(seen?.headers["content-type"], "application/json");
    assert.equal(seen?.headers["content-length"], String(body.length));
  } finally {
    await server.close();
  }
});

test("POST without a Content-Type header sends its body as text/plain", async () => {
  const server = await serve((_, response) => answer(response, 204, ""));
  try {
    const result = await run(server.url, { method: "POST", body: "ping" });
    assert.equal(result.status, "UP", result.message);
    assert.equal(server.seen[0]?.body, "ping");
    assert.match(server.seen[0]?.headers["content-type"] ?? "", /^text\/plain;\s*charset=UTF-8$/i);
  } finally {
    await server.close();
  }
});

test("POST without a body sends an empty one", async () => {
  const server = await serve((_, response) => answer(response, 200, "{}"));
  try {
    const result = await run(server.url, { method: "POST" });
    assert.equal(result.status, "UP", result.message);
    assert.equal(server.seen[0]?.method, "POST");
    assert.equal(server.seen[0]?.body, "");
  } finally {
    await server.close();
  }
});

test("HEAD is sent as HEAD and judged by its status alone", async () => {
  const server = await serve((request, response) => {
    response.writeHead(request.method === "HEAD" ? 200 : 500, { "content-length": "10" });
    response.end();
  });
  try {
    const result = await run(server.url, { method: "HEAD", expectStatus: 200 });
    assert.equal(result.status, "UP", result.message);
    assert.equal(result.message, "HTTP 200 (expected 200)");
    assert.deepEqual(server.seen.map((seen) => seen.method), ["HEAD"]);
  } finally {
    await server.close();
  }
});

// ---------------------------------------------------------------------------
// expectStatus

test("expectStatus takes codes, ranges and classes, and names them in a DOWN message", async () => {
  const server = await serve((request, response) => {
    answer(response, Number(request.url.slice(1)), "");
  });
  const at = (status: number, expectStatus: unknown) =>
    run(`${server.url}/${status}`, { expectStatus });
  try {
    for (const status of [200, 301, 399]) {
      const result = await at(status, [200, "300-399"]);
      assert.equal(result.status, "UP", `${status}: ${result.message}`);
    }
    const missed = await at(204, [200, "300-399"]);
    assert.equal(missed.status, "DOWN");
    assert.equal(missed.message, "HTTP 204 (expected 200, 300-399)");

    assert.equal((await at(204, "2xx")).status, "UP");
    const notFound = await at(404, "2xx");
    assert.equal(notFound.message, "HTTP 404 (expected 200-299)");
    assert.equal((await at(503, ["2XX", 503])).status, "UP");
    assert.equal((await at(418, "418")).status, "UP", "a code written as text");
  } finally {
    await server.close();
  }
});

test("expectStatus problems name the item: a reversed range, a code out of range, no range at all", () => {
  assert.deepEqual(problems({ expectStatus: [200, "299-200", 600, "6xx", "2-3", "ok"] }), [
    'checks[0].expectStatus[1]: expected a range from the lower code to the higher, such as "200-299", got "299-200"',
    'checks[0].expectStatus[2]: expected a status code from 100 to 599, a range such as "200-299" or a class such as "2xx", got 600',
    'checks[0].expectStatus[3]: expected a status code from 100 to 599, a range such as "200-299" or a class such as "2xx", got "6xx"',
    'checks[0].expectStatus[4]: expected a status code from 100 to 599, a range such as "200-299" or a class such as "2xx", got "2-3"',
    'checks[0].expectStatus[5]: expected a status code from 100 to 599, a range such as "200-299" or a class such as "2xx", got "ok"',
  ]);
});

// ---------------------------------------------------------------------------
// UP messages

test("an UP message says what was matched: the text, the pattern, each JSON path and value, the statuses", async () => {
  const server = await serve((_, response) => answer(response, 200, JSON.stringify(HEALTH)));
  try {
    const result = await run(server.url, {
      expectStatus: [200, "2xx"],
      bodyContains: '"status":"ok"',
      bodyMatches: '"queue":\\d+',
      json: [
        { path: "$.status", equals: "ok" },
        { path: "$.queue", lessThan: 100 },
        { path: "$.queue", greaterThan: 0 },
        { path: "$.error", exists: false },
      ],
    });
    assert.equal(result.status, "UP", result.message);
    assert.equal(
      result.message,
      'HTTP 200 (expected 200, 200-299), body contains "\\"status\\":\\"ok\\"", ' +
        'body matches /"queue":\\d+/, $.status is "ok", $.queue is 12 (less than 100), ' +
        "$.queue is 12 (greater than 0), and 1 more JSON condition holds",
    );
    // Without expectStatus, kubelet's 200-399 goes without saying.
    const plain = await run(server.url, { bodyContains: "ok" });
    assert.equal(plain.message, 'HTTP 200, body contains "ok"');
  } finally {
    await server.close();
  }
});

test("an UP message cuts long texts with an ellipsis and masks the check's secrets", async () => {
  const body = `${"a".repeat(100)} token-s3cr3t ${"b".repeat(100)}`;
  const server = await serve((_, response) => answer(response, 200, body));
  try {
    const long = await run(server.url, { bodyContains: "a".repeat(80), bodyMatches: "b{50,}" });
    assert.equal(
      long.message,
      `HTTP 200, body contains "${"a".repeat(37)}...", body matches /b{50,}/`,
    );
    const secret = await run(server.url, {
      headers: { Authorization: "Bearer token-s3cr3t" },
      bodyContains: "token-s3cr3t",
    });
    assert.equal(secret.status, "UP", secret.message);
    assert.equal(secret.message, 'HTTP 200, body contains "***"');
  } finally {
    await server.close();
  }
});

// ---------------------------------------------------------------------------
// bodyMatches

test("bodyMatches matches a regular expression and says which one missed", async () => {
  let body = '{"status": "ok"}';
  const server = await serve((_, response) => answer(response, 200, body));
  const pattern = '"status":\\s*"ok"';
  try {
    const hit = await run(server.url, { bodyMatches: pattern });
    assert.equal(hit.status, "UP", hit.message);
    assert.equal(hit.message, `HTTP 200, body matches /${pattern}/`);
    body = '{"status": "degraded"}';
    const miss = await run(server.url, { bodyMatches: pattern });
    assert.equal(miss.status, "DOWN");
    assert.equal(
      miss.message,
      `HTTP 200, but the body does not match /${pattern}/ (read 22 bytes)`,
    );
    // Anchors, classes and alternation are JavaScript's.
    assert.equal((await run(server.url, { bodyMatches: "^\\{.*(degraded|down)" })).status, "UP");
  } finally {
    await server.close();
  }
});

test("bodyMatches sees at most the first 64 KiB of the body", async () => {
  const server = await serve((_, response) =>
    answer(response, 200, "a".repeat(70 * 1024) + "MARKER", "text/plain")
  );
  try {
    const result = await run(server.url, { bodyMatches: "MARKER" });
    assert.equal(result.status, "DOWN");
    assert.equal(
      result.message,
      "HTTP 200, but the body does not match /MARKER/ (read the first 65536 bytes)",
    );
  } finally {
    await server.close();
  }
});

test("a bodyMatches pattern that backtracks past the timeout ends the check at its timeout, and vitals keeps answering", async () => {
  // About 1.5 s of backtracking: far past the check's 300 ms, then done soon after the test.
  const slowBody = slowText(1500);
  const server = await serve((request, response) =>
    answer(response, 200, request.headers["x-slow"] ? slowBody : "ok", "text/plain")
  );
  try {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = performance.now();
    const slow = httpCheck(server.url, {
      headers: { "X-Slow": "yes" },
      bodyMatches: "^(a+)+$",
      timeout: "300ms",
    });
    const result = await slow.run();
    const elapsed = performance.now() - started;
    clearInterval(timer);
    assert.equal(result.status, "DOWN");
    assert.equal(
      result.message,
      "timed out after 300 ms; HTTP 200, but matching the body against /^(a+)+$/ did not finish " +
        `(read ${slowBody.length} bytes)`,
    );
    assert.ok(elapsed < 1500, `took ${elapsed} ms`);
    // The match ran in a worker: the main thread's timers kept firing meanwhile.
    assert.ok(ticks >= 10, `only ${ticks} ticks of 10 ms in ${elapsed} ms`);

    // Still matching in its worker: the same check's next run says so at once.
    const again = await slow.run();
    assert.equal(again.status, "DOWN");
    assert.equal(
      again.message,
      "HTTP 200, but the body was not matched against /^(a+)+$/: an earlier run's match is still running",
    );
    // Another check's match is not held up: it gets a worker of its own.
    const other = await run(server.url, { bodyMatches: "^ok$", timeout: "2s" });
    assert.equal(other.status, "UP", other.message);
  } finally {
    await server.close();
  }
});

test("bodyMatches problems name the key: not a regular expression, or \\Z", () => {
  const [unclosed] = problems({ bodyMatches: "(ok" });
  assert.match(
    unclosed ?? "",
    /^checks\[0\]\.bodyMatches: expected a regular expression in JavaScript syntax, got "\(ok": \S/,
  );
  assert.deepEqual(problems({ bodyMatches: "ok\\Z" }), [
    'checks[0].bodyMatches: expected a regular expression in JavaScript syntax, got "ok\\\\Z": ' +
    "\\Z is not an anchor in JavaScript: write $",
  ]);
  assert.deepEqual(problems({ bodyMatches: "" }), [
    'checks[0].bodyMatches: expected a regular expression, got ""',
  ]);
});

// ---------------------------------------------------------------------------
// json

const HEALTH = {
  status: "ok",
  version: "1.4.2",
  queue: 12,
  checks: [{ name: "db", healthy: true }, { name: "cache", healthy: false }],
  "last run": { ok: null },
};

test("json conditions hold: equals (string, boolean, null), exists, lessThan, greaterThan, keys in brackets and negative indexes", async () => {
  const server = await serve((_, response) => answer(response, 200, JSON.stringify(HEALTH)));
  try {
    const result = await run(server.url, {
      json: [
        { path: "$.status", equals: "ok" },
        { path: "$.checks[0].healthy", equals: true },
        { path: "$.checks[-1].healthy", equals: false },
        { path: '$["last run"].ok', equals: null },
        { path: "$.version", exists: true },
        { path: "$.error", exists: false },
        { path: "$.queue", lessThan: 100 },
        { path: "$.queue", greaterThan: 0 },
        { path: "$.checks", exists: true },
      ],
    });
    assert.equal(result.status, "UP", result.message);
    assert.equal(
      result.message,
      'HTTP 200, $.status is "ok", $.checks[0].healthy is true, $.checks[-1].healthy is false, ' +
        "and 6 more JSON conditions hold",
    );
  } finally {
    await server.close();
  }
});

test("a failing json condition says what the path holds and what was expected", async () => {
  const body = { ...HEALTH, status: "degraded", queue: 250, error: "disk full" };
  const server = await serve((_, response) => answer(response, 200, JSON.stringify(body)));
  const cases: [Record<string, unknown>, string][] = [
    [{ path: "$.status", equals: "ok" }, '$.status is "degraded", expected "ok"'],
    [{ path: "$.checks[1].healthy", equals: true }, "$.checks[1].healthy is false, expected true"],
    [{ path: "$.queue", equals: "250" }, '$.queue is 250, expected "250"'],
    [{ path: "$.version", equals: 1.4 }, '$.version is "1.4.2", expected 1.4'],
    [{ path: "$.queue", lessThan: 100 }, "$.queue is 250, expected less than 100"],
    [{ path: "$.queue", greaterThan: 1000 }, "$.queue is 250, expected greater than 1000"],
    [
      { path: "$.status", greaterThan: 0 },
      '$.status is "degraded" (a string), expected a number greater than 0',
    ],
    [{ path: "$.uptime", exists: true }, "$.uptime is missing"],
    [{ path: "$.uptime", equals: 1 }, "$.uptime is missing"],
    [
      { path: "$.checks[5].healthy", equals: true },
      "$.checks[5].healthy is missing ($.checks has 2 items)",
    ],
    [{ path: "$.status.code", exists: true }, "$.status.code is missing ($.status is a string)"],
    [{ path: "$.checks.db", exists: true }, "$.checks.db is missing ($.checks is a list)"],
    [{ path: "$.nested.deep", exists: true }, '$.nested.deep is missing (no key "nested" in $)'],
    [
      { path: "$.error", exists: false },
      '$.error is present ("disk full"), expected it to be missing',
    ],
    [
      { path: "$.checks[0]", equals: "db" },
      '$.checks[0] is {"name":"db","healthy":true}, expected "db"',
    ],
  ];
  try {
    for (const [condition, message] of cases) {
      const result = await run(server.url, { json: [condition] });
      assert.equal(result.status, "DOWN", JSON.stringify(condition));
      assert.equal(result.message, `HTTP 200, but ${message}`);
    }
  } finally {
    await server.close();
  }
});

test("json conditions are judged in list order: the first that fails decides", async () => {
  const server = await serve((_, response) => answer(response, 200, JSON.stringify(HEALTH)));
  try {
    const result = await run(server.url, {
      json: [
        { path: "$.status", equals: "ok" },
        { path: "$.queue", lessThan: 10 },
        { path: "$.version", equals: "2.0.0" },
      ],
    });
    assert.equal(result.message, "HTTP 200, but $.queue is 12, expected less than 10");
  } finally {
    await server.close();
  }
});

test("a body that is not JSON is DOWN saying so, with its start; empty and too long bodies too", async () => {
  let body = "<!doctype html><html><body>Service Unavailable</body></html>";
  const server = await serve((_, response) => answer(response, 200, body, "text/html"));
  const json = [{ path: "$.status", equals: "ok" }];
  try {
    const html = await run(server.url, { json });
    assert.equal(html.status, "DOWN");
    assert.equal(
      html.message,
      'HTTP 200, but the body is not JSON (read 60 bytes: "<!doctype html><html><body>Service Un...")',
    );
    body = "";
    assert.equal(
      (await run(server.url, { json })).message,
      "HTTP 200, but the body is empty, not JSON",
    );
    body = JSON.stringify({ status: "ok", pad: "x".repeat(70 * 1024) });
    assert.equal(
      (await run(server.url, { json })).message,
      "HTTP 200, but the body is over 65536 bytes, too long to read as JSON",
    );
    body = "line one\nline two\u001b[31m";
    assert.equal(
      (await run(server.url, { json })).message,
      'HTTP 200, but the body is not JSON (read 22 bytes: "line one\\nline two\\u001b[31m")',
    );
  } finally {
    await server.close();
  }
});

test("json problems name the condition or its path: bad paths, no operator, two operators, a list to compare with", () => {
  assert.deepEqual(
    problems({
      json: [
        { path: "status", equals: "ok" },
        { path: "$.a..b", exists: true },
        { path: "$[a]", exists: true },
        { path: '$["unclosed]', exists: true },
        { path: "$.a b", exists: true },
        { path: "$.queue" },
        { path: "$.queue", lessThan: 1, greaterThan: 0 },
        { path: "$.status", equals: ["ok"] },
        { path: "$.queue", lessThan: "many" },
      ],
    }),
    [
      'checks[0].json[0].path: expected a JSON path such as $.status, $.checks[0].healthy or $["a key"], starting with "$" (the whole body), got "status"',
      'checks[0].json[1].path: expected a JSON path such as $.status, $.checks[0].healthy or $["a key"], with a key of letters, digits, "_" or "-" after "." at character 4 (write any other key as ["key"]), got "$.a..b"',
      'checks[0].json[2].path: expected a JSON path such as $.status, $.checks[0].healthy or $["a key"], with an index such as [0] or a key in double quotes such as ["a key"] at character 2, got "$[a]"',
      'checks[0].json[3].path: expected a JSON path such as $.status, $.checks[0].healthy or $["a key"], with an index such as [0] or a key in double quotes such as ["a key"] at character 2, got "$[\\"unclosed]"',
      'checks[0].json[4].path: expected a JSON path such as $.status, $.checks[0].healthy or $["a key"], with ".key", ["key"] or [index] at character 4, got "$.a b"',
      "checks[0].json[5]: expected one of equals, exists, lessThan or greaterThan with the path",
      "checks[0].json[6]: expected one of equals, exists, lessThan or greaterThan, got lessThan and greaterThan",
      "checks[0].json[7].equals: expected a string, a number, true, false or null, got a list",
      'checks[0].json[8].lessThan: expected a number, got "many"',
    ],
  );
  assert.deepEqual(problems({ json: [] }), ["checks[0].json: expected at least one condition"]);
});

// ---------------------------------------------------------------------------
// warnAfter and downAfter

/** A server that answers `{"status":"ok"}` after `delay` ms (headers and body together). */
function slowServer(delay: number): Promise<NodeServer> {
  return serve((_, response) => {
    setTimeout(() => answer(response, 200, '{"status":"ok"}'), delay);
  });
}

test("a response slower than warnAfter is WARN, saying how long it took", async () => {
  const server = await slowServer(150);
  try {
    const result = await run(server.url, { warnAfter: "50ms", downAfter: "1s" });
    assert.equal(result.status, "WARN", result.message);
    const match = /^HTTP 200, responded in (\d+) ms, over warnAfter 50ms$/.exec(result.message);
    assert.ok(match, result.message);
    assert.ok(Number(match[1]) >= 140, result.message);
  } finally {
    await server.close();
  }
});

test("a response slower than downAfter is DOWN, saying how long it took", async () => {
  const server = await slowServer(150);
  try {
    const result = await run(server.url, { warnAfter: "20ms", downAfter: "50ms" });
    assert.equal(result.status, "DOWN", result.message);
    assert.match(result.message, /^HTTP 200, responded in \d+ ms, over downAfter 50ms$/);
  } finally {
    await server.close();
  }
});

test("a response within warnAfter is UP", async () => {
  const server = await slowServer(0);
  try {
    const result = await run(server.url, { warnAfter: "1s", downAfter: "1.5s" });
    assert.equal(result.status, "UP", result.message);
    assert.equal(result.message, "HTTP 200");
  } finally {
    await server.close();
  }
});

test("the response time is measured to the headers: a slow body does not count", async () => {
  const server = await serve((_, response) => {
    response.writeHead(200, { "content-type": "text/plain" });
    response.write("o");
    setTimeout(() => response.end("k"), 400);
  });
  try {
    const result = await run(server.url, { bodyContains: "ok", warnAfter: "200ms" });
    assert.equal(result.status, "UP", result.message);
    assert.ok(result.durationMs >= 390, `the run took ${result.durationMs} ms, the body included`);
  } finally {
    await server.close();
  }
});

test("warnAfter and downAfter problems name the key: each below the timeout, warnAfter below downAfter", () => {
  assert.deepEqual(problems({ timeout: "1s", downAfter: "1s", warnAfter: "2s" }), [
    "checks[0].downAfter: expected a duration below the timeout (1s), got 1s",
    "checks[0].warnAfter: expected a duration below downAfter (1s), got 2s",
  ]);
  assert.deepEqual(problems({ warnAfter: "5s" }), [
    "checks[0].warnAfter: expected a duration below the timeout (5s, from defaults.timeout), got 5s",
  ]);
  assert.deepEqual(problems({ downAfter: "900ms" }, { defaults: { timeout: "800ms" } }), [
    "checks[0].downAfter: expected a duration below the timeout (800ms, from defaults.timeout), got 900ms",
  ]);
  assert.deepEqual(problems({ warnAfter: "soon" }).length, 1);
  assert.deepEqual(problems({ timeout: "2s", warnAfter: "1s", downAfter: "1.5s" }), []);
});

// ---------------------------------------------------------------------------
// Order, HEAD and POST rules

test("conditions decide in order: status, then body, then json, then time", async () => {
  const server = await serve((request, response) => {
    const status = Number(request.url.slice(1) || 200);
    setTimeout(() => answer(response, status, '{"status":"degraded"}'), 120);
  });
  const all = {
    bodyContains: "degraded",
    bodyMatches: '"status":"ok"',
    json: [{ path: "$.status", equals: "ok" }],
    warnAfter: "20ms",
    downAfter: "50ms",
  };
  try {
    const status = await run(`${server.url}/503`, all);
    assert.equal(status.message, "HTTP 503 (expected 200-399)");
    const body = await run(server.url, all);
    assert.match(body.message, /^HTTP 200, but the body does not match /);
    const json = await run(server.url, { ...all, bodyMatches: "degraded" });
    assert.equal(json.message, 'HTTP 200, but $.status is "degraded", expected "ok"');
    const time = await run(server.url, { ...all, bodyMatches: "degraded", json: undefined });
    assert.match(time.message, /^HTTP 200, responded in \d+ ms, over downAfter 50ms$/);
    assert.equal(time.status, "DOWN");
    const passed = await run(server.url, {
      bodyContains: "degraded",
      bodyMatches: "degraded",
      json: [{ path: "$.status", exists: true }],
    });
    assert.equal(
      passed.message,
      'HTTP 200, body contains "degraded", body matches /degraded/, $.status exists',
    );
  } finally {
    await server.close();
  }
});

test("HEAD with a body condition, and a body without POST, are config problems naming the key", () => {
  assert.deepEqual(
    problems({
      method: "HEAD",
      bodyContains: "ok",
      bodyMatches: "ok",
      json: [{ path: "$", exists: true }],
    }),
    [
      "checks[0].bodyContains: a HEAD response has no body: use method GET or POST with bodyContains",
      "checks[0].bodyMatches: a HEAD response has no body: use method GET or POST with bodyMatches",
      "checks[0].json: a HEAD response has no body: use method GET or POST with json",
    ],
  );
  assert.deepEqual(problems({ body: "hello" }), [
    "checks[0].body: a request body is sent only with method POST, and method is GET",
  ]);
  assert.deepEqual(problems({ method: "PUT" }), [
    'checks[0].method: expected one of "GET", "HEAD", "POST", got "PUT"',
  ]);
});

// ---------------------------------------------------------------------------
// Secrets

test("a header's secret value, echoed by the server, never appears in a failure message", async () => {
  const token = "s3cr3t-token-0123456789";
  const server = await serve((request, response) => {
    const echo = String(request.headers.authorization ?? "");
    if (request.headers["x-mode"] === "html") return answer(response, 200, `<p>${echo}</p>`);
    answer(response, 200, JSON.stringify({ status: echo, auth: { header: echo } }));
  });
  const headers = { Authorization: `Bearer ${token}` };
  try {
    const results = [
      await run(server.url, { headers, json: [{ path: "$.status", equals: "ok" }] }),
      await run(server.url, { headers, json: [{ path: "$.auth", equals: "x" }] }),
      await run(server.url, { headers, json: [{ path: "$.status", lessThan: 1 }] }),
      await run(server.url, {
        headers: { ...headers, "X-Mode": "html" },
        json: [{ path: "$.status", exists: true }],
      }),
    ];
    for (const result of results) {
      assert.equal(result.status, "DOWN", result.message);
      assert.ok(!result.message.includes(token), result.message);
      assert.ok(!result.message.includes("s3cr3t"), result.message);
      assert.match(result.message, /\*\*\*/);
    }
    assert.equal(
      results[0]!.message,
      'HTTP 200, but $.status is "***", expected "ok"',
    );
  } finally {
    await server.close();
  }
});

test("the request body is a secret: never shown in a message or a config problem", async () => {
  const body = "user=probe&password=hunter2-hunter2";
  const server = await serve((request, response) => answer(response, 200, request.body));
  try {
    const result = await run(server.url, {
      method: "POST",
      body,
      json: [{ path: "$.status", equals: "ok" }],
    });
    assert.equal(result.status, "DOWN");
    assert.ok(!result.message.includes("hunter2"), result.message);
    assert.match(
      result.message,
      /^HTTP 200, but the body is not JSON \(read 35 bytes: "\*\*\*"\)$/,
    );
  } finally {
    await server.close();
  }
  assert.deepEqual(problems({ method: "POST", body: 12345 }), [
    'checks[0].body: expected a string, got "***"',
  ]);
});
