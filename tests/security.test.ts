/**
 * Security: who sees what, and what nobody ever sees.
 *
 * - `server.detailsToken`: without `Authorization: Bearer <token>` every health
 *   route answers the same status code with only `{"status":...}`; with it, the
 *   full body in every format. An empty token (an unset `${VAR:-}`) means open.
 * - `server.metricsToken`: `/metrics` and `/health/simple` answer 401 without
 *   the token; the probe group endpoints stay open.
 * - `constantTimeEqual` and `tokenMatches` give the right answers.
 * - Secrets (`apiKey`, `headers` and `env` values, URL credentials) never reach
 *   a response body in any format, `/metrics`, a log line or a config error.
 * - Requests with a body are refused; an oversized request header neither
 *   crashes the server nor stops it answering.
 *
 * Servers run for real on 127.0.0.1 port 0; raw HTTP/1.1 goes over `node:net`
 * where `fetch` cannot send what a test needs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createConnection } from "node:net";
import { test } from "node:test";
import { type App, createApp } from "../src/app/create_app.ts";
import { ConfigError } from "../src/config/error.ts";
import { parseConfig } from "../src/config/load.ts";
import { createLogger, type Logger, silentLogger } from "../src/log.ts";
import { MASK } from "../src/mask.ts";
import { constantTimeEqual, tokenMatches } from "../src/http/token.ts";
import { closedPort, platform, startServer } from "./helpers.ts";

const BASE = "http://vitals.test";
const DETAILS_TOKEN = "s3cret-token";
const METRICS_TOKEN = "m3trics-token";
const UP_BODY = '{"status":"UP"}';
const DOWN_BODY = '{"status":"DOWN"}';

/** Builds the app from config text, as `vitals serve` does. */
function appOf(yaml: string, log: Logger = silentLogger, env: Record<string, string> = {}): App {
  return createApp(parseConfig(yaml, "t.yaml", env), { platform, log });
}

/** Calls the handler without a socket. */
async function get(
  app: App,
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await app.handler(new Request(`${BASE}${path}`, { method, headers }));
  return { status: response.status, headers: response.headers, body: await response.text() };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Two checks in the ready group: one UP, and one DOWN that is critical only
 * when `downIsCritical`; so the status is UP (200) or DOWN (503) as asked, and
 * the full body always carries two messages.
 */
async function detailsConfig(
  server: string,
  options: { downIsCritical?: boolean } = {},
): Promise<string> {
  return `server:
${server}
checks:
  - name: fine
    type: command
    command: ["sh", "-c", "exit 0"]
    timeout: 5s
  - name: broken
    type: tcp
    port: ${await closedPort()}
    timeout: 2s
    critical: ${options.downIsCritical ?? false}
`;
}

/**
 * The longest piece (at least `min` characters) of `secret` that `text`
 * contains, or `undefined`. Catches a secret that was cut or escaped as well as
 * a whole one.
 */
function leakedPiece(text: string, secret: string, min = 6): string | undefined {
  for (let length = secret.length; length >= min; length--) {
    for (let start = 0; start + length <= secret.length; start++) {
      const piece = secret.slice(start, start + length);
      if (text.includes(piece)) return piece;
    }
  }
  return undefined;
}

function assertNoSecret(text: string, secret: string, where: string): void {
  const piece = leakedPiece(text, secret);
  if (piece === undefined) return;
  const at = text.indexOf(piece);
  const context = text.slice(Math.max(0, at - 120), at + piece.length + 40);
  assert.fail(`${where} shows ${JSON.stringify(piece)} of a secret: ...${context}...`);
}

/** What a raw HTTP/1.1 exchange got back. */
interface RawReply {
  /** Everything the server sent, decoded as Latin-1. */
  readonly text: string;
  /** The status code of the first response line, if there was one. */
  readonly status: number | undefined;
  /** A socket error such as ECONNRESET, if one happened. */
  readonly error: string | undefined;
}

/**
 * Sends `request` over a plain TCP connection and collects the reply until the
 * server closes the connection (send `Connection: close`) or `timeoutMs` passes.
 */
function rawRequest(port: number, request: string, timeoutMs = 5000): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let text = "";
    let error: string | undefined;
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on("data", (chunk: Uint8Array) => {
      text += Array.from(chunk, (byte) => String.fromCharCode(byte)).join("");
    });
    socket.on("error", (cause: Error & { code?: string }) => {
      error = cause.code ?? cause.message;
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: match ? Number(match[1]) : undefined, error });
    });
    socket.write(request);
  });
}

/** Serves the app on 127.0.0.1 at a free port for the length of `body`. */
async function withServer(app: App, body: (port: number) => Promise<void>): Promise<void> {
  const server = await platform.serve({ hostname: "127.0.0.1", port: 0, handler: app.handler });
  try {
    await body(server.port);
  } finally {
    await server.shutdown(1000);
  }
}

// ---------------------------------------------------------------------------
// detailsToken

const NOT_THE_TOKEN: readonly (Record<string, string>)[] = [
  {},
  bearer("wrong-token"),
  bearer(`${DETAILS_TOKEN}x`),
  bearer(DETAILS_TOKEN.slice(0, -1)),
  bearer(DETAILS_TOKEN.toUpperCase()),
  { authorization: `Basic ${btoa(`user:${DETAILS_TOKEN}`)}` },
  { authorization: DETAILS_TOKEN },
  { authorization: "Bearer" },
];

const SHAPES: readonly { query: string; accept?: string }[] = [
  { query: "" },
  { query: "", accept: "application/health+json" },
  { query: "", accept: "text/plain" },
  { query: "?format=text" },
  { query: "?format=microprofile" },
  { query: "?format=health%2Bjson" },
];

test("detailsToken: without the right bearer token every health route answers the same status with only the status field", async () => {
  for (const downIsCritical of [false, true]) {
    const app = appOf(
      await detailsConfig(`  detailsToken: ${DETAILS_TOKEN}`, { downIsCritical }),
    );
    const expected = downIsCritical ? DOWN_BODY : UP_BODY;
    for (const path of ["/health", "/health/ready"]) {
      for (const shape of SHAPES) {
        const accept: Record<string, string> = shape.accept ? { accept: shape.accept } : {};
        const authorized = await get(app, `${path}${shape.query}`, {
          ...accept,
          ...bearer(DETAILS_TOKEN),
        });
        assert.equal(authorized.status, downIsCritical ? 503 : 200);
        for (const credentials of NOT_THE_TOKEN) {
          const where = `${path}${shape.query} ${JSON.stringify({ ...accept, ...credentials })}`;
          const response = await get(app, `${path}${shape.query}`, { ...accept, ...credentials });
          assert.equal(response.status, authorized.status, where);
          assert.equal(response.body, expected, where);
          assert.equal(response.headers.get("content-type"), "application/json", where);
        }
        // HEAD: the same status, and the length of the short body.
        const head = await get(app, `${path}${shape.query}`, accept, "HEAD");
        assert.equal(head.status, authorized.status);
        assert.equal(head.body, "");
        assert.equal(head.headers.get("content-length"), String(expected.length));
      }
    }
  }
});

test("detailsToken: the right bearer token gets the full body with every check in every format", async () => {
  const app = appOf(await detailsConfig(`  detailsToken: ${DETAILS_TOKEN}`));
  for (const path of ["/health", "/health/ready"]) {
    const json = await get(app, path, bearer(DETAILS_TOKEN));
    assert.equal(json.status, 200);
    const body = JSON.parse(json.body) as { checks: { name: string; message: string }[] };
    assert.deepEqual(body.checks.map((check) => check.name), ["fine", "broken"]);
    assert.equal(body.checks[0]?.message, "exit 0");
    assert.ok((body.checks[1]?.message ?? "").length > 0);

    // The scheme is case-insensitive, as RFC 7235 says.
    const lower = await get(app, path, { authorization: `bearer ${DETAILS_TOKEN}` });
    assert.equal(lower.body, json.body);

    const ietf = await get(app, path, {
      accept: "application/health+json",
      ...bearer(DETAILS_TOKEN),
    });
    assert.equal(ietf.headers.get("content-type"), "application/health+json");
    assert.deepEqual(Object.keys(JSON.parse(ietf.body).checks), [
      "fine:responseTime",
      "broken:responseTime",
    ]);

    const micro = await get(app, `${path}?format=microprofile`, bearer(DETAILS_TOKEN));
    assert.equal(JSON.parse(micro.body).checks.length, 2);

    const text = await get(app, `${path}?format=text`, bearer(DETAILS_TOKEN));
    assert.match(text.headers.get("content-type") ?? "", /^text\/plain/);
    assert.match(text.body, /^STATUS +CHECK/);
    assert.match(text.body, /\bfine\b/);
    assert.match(text.body, /\bbroken\b/);
  }
});

test("detailsToken: /health/simple and the group probes keep the short body even with the token", async () => {
  const app = appOf(await detailsConfig(`  detailsToken: ${DETAILS_TOKEN}`));
  for (const path of ["/health/simple", "/health/ready/simple", "/health/ready?simple"]) {
    for (const credentials of [{}, bearer(DETAILS_TOKEN)]) {
      const response = await get(app, path, credentials);
      assert.equal(response.status, 200, path);
      assert.equal(response.body, UP_BODY, path);
    }
  }
});

test("detailsToken: an empty token, as an unset ${VAR:-} expands, leaves details open", async () => {
  const app = appOf(
    await detailsConfig("  detailsToken: ${VITALS_DETAILS_TOKEN:-}"),
    silentLogger,
    {},
  );
  assert.equal(app.config.server.detailsToken, "");
  const response = await get(app, "/health");
  assert.equal(response.status, 200);
  assert.equal(JSON.parse(response.body).checks.length, 2);

  const fromEnv = appOf(
    await detailsConfig("  detailsToken: ${VITALS_DETAILS_TOKEN:-}"),
    silentLogger,
    { VITALS_DETAILS_TOKEN: DETAILS_TOKEN },
  );
  assert.equal((await get(fromEnv, "/health")).body, UP_BODY);
  assert.equal(
    JSON.parse((await get(fromEnv, "/health", bearer(DETAILS_TOKEN))).body).checks.length,
    2,
  );
});

test("detailsToken: a reload that sets or changes the token applies to the next request", async () => {
  const open = await detailsConfig("  port: 8080");
  const app = appOf(open);
  assert.equal(JSON.parse((await get(app, "/health")).body).checks.length, 2);

  await app.reload(
    parseConfig(open.replace("port: 8080", "detailsToken: first-token"), "t.yaml", {}),
  );
  assert.equal((await get(app, "/health")).body, UP_BODY);
  assert.equal(
    JSON.parse((await get(app, "/health", bearer("first-token"))).body).checks.length,
    2,
  );

  await app.reload(
    parseConfig(open.replace("port: 8080", "detailsToken: second-token"), "t.yaml", {}),
  );
  assert.equal((await get(app, "/health", bearer("first-token"))).body, UP_BODY);
  assert.equal(
    JSON.parse((await get(app, "/health", bearer("second-token"))).body).checks.length,
    2,
  );
});

// ---------------------------------------------------------------------------
// metricsToken

test("metricsToken: /metrics and /health/simple answer 401 with www-authenticate unless the bearer token is right", async () => {
  const app = appOf(await detailsConfig(`  metricsToken: ${METRICS_TOKEN}`));
  for (const path of ["/metrics", "/health/simple", "/health/simple/"]) {
    for (const credentials of [...NOT_THE_TOKEN, bearer(DETAILS_TOKEN)]) {
      const where = `${path} ${JSON.stringify(credentials)}`;
      for (const method of ["GET", "HEAD"]) {
        const response = await get(app, path, credentials, method);
        assert.equal(response.status, 401, where);
        assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="vitals"', where);
        assert.equal(response.headers.get("cache-control"), "no-store", where);
        if (method === "GET") {
          assert.deepEqual(JSON.parse(response.body), {
            error: "unauthorized: send Authorization: Bearer <metricsToken>",
          });
        }
      }
    }
  }
  const metrics = await get(app, "/metrics", bearer(METRICS_TOKEN));
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  assert.match(metrics.body, /^# HELP vitals_up /m);
  const simple = await get(app, "/health/simple", bearer(METRICS_TOKEN));
  assert.equal(simple.status, 200);
  assert.equal(simple.body, UP_BODY);
});

test("metricsToken: the probe endpoints stay open, so kubelet needs no token", async () => {
  for (const downIsCritical of [false, true]) {
    const app = appOf(
      await detailsConfig(`  metricsToken: ${METRICS_TOKEN}`, { downIsCritical }),
    );
    const ready = await get(app, "/health/ready/simple");
    assert.equal(ready.status, downIsCritical ? 503 : 200);
    assert.equal(ready.body, downIsCritical ? DOWN_BODY : UP_BODY);
    assert.equal(ready.headers.get("www-authenticate"), null);
    for (const path of ["/health/live", "/health/live/simple", "/health/started/simple"]) {
      const response = await get(app, path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get("www-authenticate"), null, path);
    }
  }
});

test("metricsToken and detailsToken are separate: neither unlocks the other's routes", async () => {
  const app = appOf(
    await detailsConfig(`  metricsToken: ${METRICS_TOKEN}\n  detailsToken: ${DETAILS_TOKEN}`),
  );
  assert.equal((await get(app, "/metrics", bearer(DETAILS_TOKEN))).status, 401);
  assert.equal((await get(app, "/health", bearer(METRICS_TOKEN))).body, UP_BODY);
  assert.equal((await get(app, "/metrics", bearer(METRICS_TOKEN))).status, 200);
  assert.equal(
    JSON.parse((await get(app, "/health", bearer(DETAILS_TOKEN))).body).checks.length,
    2,
  );
});

test("metricsToken: an empty token leaves /metrics and /health/simple open; metrics: false hides /metrics", async () => {
  const open = appOf(await detailsConfig("  metricsToken: ${VITALS_METRICS_TOKEN:-}"));
  assert.equal((await get(open, "/metrics")).status, 200);
  assert.equal((await get(open, "/health/simple")).status, 200);

  const off = appOf(
    await detailsConfig(`  metricsToken: ${METRICS_TOKEN}\n  metrics: false`),
  );
  assert.equal((await get(off, "/metrics", bearer(METRICS_TOKEN))).status, 404);
});

test("metricsToken: /health?simple is guarded like /health/simple", async () => {
  const app = appOf(await detailsConfig(`  metricsToken: ${METRICS_TOKEN}`));
  assert.equal((await get(app, "/health/simple")).status, 401);
  assert.equal((await get(app, "/health?simple")).status, 401);
});

// ---------------------------------------------------------------------------
// constantTimeEqual and tokenMatches

test("constantTimeEqual is true only for equal strings, whatever their lengths and characters", () => {
  const cases: [string, string, boolean][] = [
    ["s3cret", "s3cret", true],
    ["", "", true],
    ["s3cret", "s3creT", false],
    ["s3cret", "x3cret", false],
    ["s3c", "s3cret", false],
    ["s3cret", "s3c", false],
    ["s3cret-and-more", "s3cret", false],
    ["", "s3cret", false],
    ["s3cret", "", false],
    ["\0", "", false],
    ["", "\0", false],
    ["tökén-ü", "tökén-ü", true],
    ["tökén-ü", "token-u", false],
    ["é", "e\u0301", false],
    ["🔑key", "🔑key", true],
    ["🔑key", "🔒key", false],
    ["a".repeat(4096), "a".repeat(4096), true],
    ["a".repeat(4096), `${"a".repeat(4095)}b`, false],
  ];
  for (const [a, b, expected] of cases) {
    assert.equal(constantTimeEqual(a, b), expected, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
});

test("constantTimeEqual tells apart strings that differ only in lone surrogates", () => {
  assert.equal(constantTimeEqual("\uD800", "\uDC00"), false);
  assert.equal(constantTimeEqual("\uFFFD", "\uD800"), false);
});

test("tokenMatches accepts only Bearer <token>, with the scheme in any case", () => {
  const token = "s3cret-token";
  const accepted = [
    "Bearer s3cret-token",
    "bearer s3cret-token",
    "BEARER s3cret-token",
    "bEaReR s3cret-token",
    "Bearer   s3cret-token",
    "Bearer s3cret-token ",
  ];
  for (const header of accepted) assert.equal(tokenMatches(header, token), true, header);
  const rejected: (string | null)[] = [
    null,
    "",
    "Bearer",
    "Bearer ",
    "Bearer  ",
    "s3cret-token",
    " Bearer s3cret-token",
    "Bearers3cret-token",
    `Basic ${btoa(`user:${token}`)}`,
    "Basic s3cret-token",
    "Token s3cret-token",
    "Bearer s3cret-toke",
    "Bearer s3cret-token2",
    "Bearer S3CRET-TOKEN",
    "Bearer s3cret-token s3cret-token",
    "Bearer wrong s3cret-token",
  ];
  for (const header of rejected) {
    assert.equal(tokenMatches(header, token), false, JSON.stringify(header));
  }
  assert.equal(tokenMatches("Bearer tökén", "tökén"), true);
  assert.equal(tokenMatches("Bearer token", "tökén"), false);
});

// ---------------------------------------------------------------------------
// Secrets never appear

const COMMAND_SECRET = "hunter2-very-secret";

test("a command check's env secret is masked in every body format, /metrics and JSON log lines", async () => {
  const lines: string[] = [];
  const log = createLogger({ level: "debug", format: "json", write: (line) => lines.push(line) });
  const app = appOf(
    `checks:
  - name: leaky
    type: command
    command: ["sh", "-c", "echo $SECRET_VALUE; echo \\"again: $SECRET_VALUE\\" >&2; exit 1"]
    env: { SECRET_VALUE: ${COMMAND_SECRET} }
    timeout: 5s
`,
    log,
  );
  const shapes: { path: string; headers?: Record<string, string> }[] = [
    { path: "/health" },
    { path: "/health?format=text" },
    { path: "/health?format=microprofile" },
    { path: "/health", headers: { accept: "application/health+json" } },
    { path: "/health/ready" },
    { path: "/health/ready?format=text" },
  ];
  for (const { path, headers } of shapes) {
    const response = await get(app, path, headers);
    assert.equal(response.status, 503, path);
    assert.ok(response.body.includes(MASK), `${path} shows the mask:\n${response.body}`);
    assertNoSecret(response.body, COMMAND_SECRET, path);
  }
  const json = JSON.parse((await get(app, "/health")).body);
  assert.equal(json.checks[0].message, `exit code 1: ${MASK}\nagain: ${MASK}`);

  const metrics = await get(app, "/metrics");
  assert.equal(metrics.status, 200);
  assert.match(
    metrics.body,
    /^vitals_check_up\{check="leaky",type="command",critical="true"\} 0$/m,
  );
  assertNoSecret(metrics.body, COMMAND_SECRET, "/metrics");

  assert.ok(lines.length > 0, "something was logged");
  const down = lines.map((line) => JSON.parse(line) as { msg: string; level: string })
    .filter((line) => line.msg.startsWith("check leaky DOWN"));
  assert.equal(down.length, 1, lines.join("\n"));
  assert.equal(down[0]?.level, "warn");
  assert.ok(down[0]?.msg.includes(MASK));
  for (const line of lines) assertNoSecret(line, COMMAND_SECRET, "log line");
});

test("a secret cut by the output limit is not shown in part", async () => {
  const app = appOf(`checks:
  - name: cut
    type: command
    command: ["sh", "-c", "printf %s \\"$SECRET_VALUE\\"; head -c 4080 /dev/zero | tr '\\\\0' x; exit 1"]
    env: { SECRET_VALUE: ${COMMAND_SECRET} }
    timeout: 5s
`);
  const response = await get(app, "/health");
  assert.match(response.body, /last 4096 of 4099 bytes/);
  assertNoSecret(response.body, COMMAND_SECRET, "/health");
});

const HEADER_TOKEN = "tok-abcdef123";

test("an http check's header secret is masked even when the server echoes it back", async () => {
  const seen: (string | null)[] = [];
  const server = await startServer((request) => {
    const authorization = request.headers.get("authorization");
    seen.push(authorization);
    const path = new URL(request.url).pathname;
    const echo = `you sent ${authorization} and ${request.headers.get("x-extra")}`;
    if (path === "/redirect") {
      return new Response(null, {
        status: 302,
        headers: { location: `/login?auth=${authorization?.split(" ")[1]}` },
      });
    }
    return new Response(echo, { status: path === "/ok" ? 200 : 500 });
  });
  try {
    const check = (name: string, path: string) =>
      `  - name: ${name}
    type: http
    url: ${server.url}${path}
    headers: { Authorization: "Bearer ${HEADER_TOKEN}", X-Extra: extra-secret-42 }
    expectStatus: [200]
    bodyContains: all is well
    timeout: 5s
`;
    const app = appOf(
      `checks:\n${check("error", "/error")}${check("ok", "/ok")}${check("redirect", "/redirect")}`,
    );
    const response = await get(app, "/health");
    assert.equal(response.status, 503);
    assert.deepEqual(seen, Array(3).fill(`Bearer ${HEADER_TOKEN}`), "the header was sent");
    const messages = Object.fromEntries(
      (JSON.parse(response.body).checks as { name: string; message: string }[])
        .map((check) => [check.name, check.message]),
    );
    assert.equal(messages.error, "HTTP 500 (expected 200)");
    assert.match(messages.ok ?? "", /^HTTP 200 but the body does not contain "all is well"/);
    assert.equal(
      messages.redirect,
      `HTTP 302, redirect to /login?auth=${MASK} not followed (expected 200)`,
    );
    for (const format of ["", "?format=text", "?format=microprofile"]) {
      const body = (await get(app, `/health${format}`)).body;
      assertNoSecret(body, HEADER_TOKEN, `/health${format}`);
      assertNoSecret(body, "extra-secret-42", `/health${format}`);
    }
  } finally {
    await server.close();
  }
});

const API_KEY = "key-123456789";

/** A TabbyAPI stand-in that is careless with the key it was sent. */
async function leakyTabby() {
  return await startServer((request) => {
    const key = request.headers.get("x-api-key") ?? "none";
    const path = new URL(request.url).pathname;
    const json = (body: unknown, status: number) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json" },
      });
    switch (path) {
      case "/health":
        return json({ status: "healthy", issues: [] }, 200);
      case "/v1/model":
        return json({ detail: `Invalid API key ${key}` }, 401);
      case "/issues":
        return json({
          status: "unhealthy",
          issues: [{ time: "2026-11-21T11:24:41Z", description: `auth with ${key} failed` }],
        }, 503);
      default:
        // Not JSON at all: the check quotes the start of the body.
        return new Response(`bad key ${key}`, { status: 503 });
    }
  });
}

test("a tabbyapi check's apiKey is masked even when the server echoes it in a 401, an issue or plain text", async () => {
  const server = await leakyTabby();
  try {
    const app = appOf(`checks:
  - name: model
    type: tabbyapi
    url: ${server.url}
    apiKey: ${API_KEY}
    requireModel: true
    timeout: 5s
  - name: issues
    type: tabbyapi
    url: ${server.url}
    path: /issues
    apiKey: ${API_KEY}
    timeout: 5s
  - name: text
    type: tabbyapi
    url: ${server.url}
    path: /text
    apiKey: ${API_KEY}
    timeout: 5s
`);
    const response = await get(app, "/health");
    assert.equal(response.status, 503);
    const messages = Object.fromEntries(
      (JSON.parse(response.body).checks as { name: string; message: string }[])
        .map((check) => [check.name, check.message]),
    );
    assert.equal(messages.model, "API key rejected by /v1/model");
    assert.equal(
      messages.issues,
      `unhealthy (HTTP 503): 1 issue: [2026-11-21T11:24:41Z] auth with ${MASK} failed`,
    );
    assert.match(messages.text ?? "", /is not TabbyAPI JSON .*: "bad key \*\*\*"$/);
    for (const format of ["", "?format=text", "?format=microprofile", "?format=health%2Bjson"]) {
      assertNoSecret((await get(app, `/health${format}`)).body, API_KEY, `/health${format}`);
    }
  } finally {
    await server.close();
  }
});

test("a tabbyapi apiKey is not shown in part when the quoted body is cut or escaped", async () => {
  const quoteKey = 'pa"ss-987654';
  const server = await startServer((request) => {
    const key = request.headers.get("x-api-key") ?? "";
    const cut = new URL(request.url).pathname === "/cut";
    return new Response(cut ? `${".".repeat(70)}${key}` : `bad key ${key}`, { status: 503 });
  });
  try {
    const app = appOf(`checks:
  - name: cut
    type: tabbyapi
    url: ${server.url}
    path: /cut
    apiKey: ${API_KEY}
  - name: escaped
    type: tabbyapi
    url: ${server.url}
    path: /escaped
    apiKey: '${quoteKey}'
`);
    const body = (await get(app, "/health")).body;
    assertNoSecret(body, API_KEY, "/health");
    assertNoSecret(body, quoteKey, "/health");
  } finally {
    await server.close();
  }
});

test("a mistyped secret in the config is reported by key path and line, never by value", () => {
  const cases: { yaml: string; secret: string; where: RegExp }[] = [
    {
      yaml: "checks:\n  - name: t\n    type: tabbyapi\n    url: http://127.0.0.1:5000\n" +
        "    apiKey: 12345678\n",
      secret: "12345678",
      where: /t\.yaml:5:\d+: checks\[0\]\.apiKey: expected a string, got "\*\*\*"/,
    },
    {
      yaml: "checks:\n  - name: t\n    type: http\n    url: http://127.0.0.1/\n" +
        "    headers: { X: 1234567 }\n",
      secret: "1234567",
      where: /t\.yaml:5:\d+: checks\[0\]\.headers\.X: expected a string, got "\*\*\*"/,
    },
    {
      yaml: "checks:\n  - name: t\n    type: http\n    url: http://127.0.0.1/\n" +
        "    headers: 99887766\n",
      secret: "99887766",
      where: /t\.yaml:5:\d+: checks\[0\]\.headers: .*got "\*\*\*"/,
    },
    {
      yaml: "checks:\n  - name: t\n    type: command\n    command: [x]\n" +
        "    env:\n      TOKEN: 7654321\n",
      secret: "7654321",
      where: /t\.yaml:6:\d+: checks\[0\]\.env\.TOKEN: expected a string, got "\*\*\*"/,
    },
    {
      yaml: "checks:\n  - name: t\n    type: tabbyapi\n    url: http://127.0.0.1:5000\n" +
        "    apiKey: true\n",
      secret: "true",
      where: /t\.yaml:5:\d+: checks\[0\]\.apiKey: expected a string, got "\*\*\*"/,
    },
  ];
  for (const { yaml, secret, where } of cases) {
    let caught: unknown;
    try {
      parseConfig(yaml, "t.yaml", {});
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ConfigError, `expected a ConfigError for:\n${yaml}`);
    assert.match(caught.message, where);
    assert.ok(!caught.message.includes(secret), caught.message);
    for (const problem of caught.problems) assert.ok(!problem.message.includes(secret));
  }
});

test("an invalid URL in the config is reported without its credentials", () => {
  for (const url of ["ftp://user:pa55word@a/", "'http://user:pa55word@a b/'"]) {
    assert.throws(
      () => parseConfig(`checks:\n  - name: t\n    type: http\n    url: ${url}\n`, "t.yaml", {}),
      (error: unknown) =>
        error instanceof ConfigError && /checks\[0\]\.url/.test(error.message) &&
        !error.message.includes("pa55word"),
    );
  }
});

test("credentials in a check URL never reach the message, whether the server answers or not", async () => {
  const port = await closedPort();
  const server = await startServer(() => new Response("no", { status: 500 }));
  try {
    const app = appOf(`checks:
  - name: refused
    type: http
    url: http://user:pa55word@127.0.0.1:${port}/
    timeout: 5s
  - name: answered
    type: http
    url: http://user:pa55word@127.0.0.1:${server.port}/ready
    timeout: 5s
  - name: tabby-refused
    type: tabbyapi
    url: http://user:pa55word@127.0.0.1:${port}
    timeout: 5s
  - name: tabby-answered
    type: tabbyapi
    url: http://user:pa55word@127.0.0.1:${server.port}
    timeout: 5s
`);
    const response = await get(app, "/health");
    assert.equal(response.status, 503);
    const checks = JSON.parse(response.body).checks as { name: string; message: string }[];
    assert.equal(checks.length, 4);
    for (const check of checks) {
      assert.ok(check.message.length > 0, check.name);
      assertNoSecret(check.message, "pa55word", check.name);
    }
    const refused = checks.find((check) => check.name === "refused")?.message ?? "";
    assert.match(refused, new RegExp(`^GET http://\\*\\*\\*@127\\.0\\.0\\.1:${port}/ failed: `));
    for (const format of ["?format=text", "?format=microprofile", "?format=health%2Bjson"]) {
      assertNoSecret((await get(app, `/health${format}`)).body, "pa55word", format);
    }
  } finally {
    await server.close();
  }
});

// ---------------------------------------------------------------------------
// Request bodies and oversized headers

const SIMPLE_CONFIG = `checks:
  - name: fine
    type: command
    command: ["sh", "-c", "exit 0"]
    timeout: 5s
`;

test("requests with a body are refused: other methods with 405, GET and HEAD with 413", async () => {
  const app = appOf(SIMPLE_CONFIG);
  for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
    const response = await app.handler(
      new Request(`${BASE}/health`, { method, body: "hello" }),
    );
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get("allow"), "GET, HEAD", method);
  }
  for (const method of ["GET", "HEAD"]) {
    for (const headers of [{ "content-length": "5" }, { "transfer-encoding": "chunked" }]) {
      const response = await app.handler(new Request(`${BASE}/health`, { method, headers }));
      assert.equal(response.status, 413, `${method} ${JSON.stringify(headers)}`);
    }
  }
  const empty = await app.handler(
    new Request(`${BASE}/health`, { headers: { "content-length": "0" } }),
  );
  assert.equal(empty.status, 200);
});

test("over a real socket, GET with a body gets 413 and POST gets 405", async () => {
  const app = appOf(SIMPLE_CONFIG);
  await withServer(app, async (port) => {
    const withBody = await rawRequest(
      port,
      "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    );
    assert.equal(withBody.status, 413, withBody.text);
    assert.match(withBody.text, /request bodies are not accepted/);

    const chunked = await rawRequest(
      port,
      "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n" +
        "Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    );
    assert.equal(chunked.status, 413, chunked.text);

    const post = await rawRequest(
      port,
      "POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    );
    assert.equal(post.status, 405, post.text);
    assert.match(post.text, /^allow: GET, HEAD\r$/im);

    const plain = await fetch(`http://127.0.0.1:${port}/health/simple`);
    assert.equal(plain.status, 200);
    assert.equal(await plain.text(), UP_BODY);
  });
});

test("a 64 KiB request header is refused or answered, and the server keeps serving", async () => {
  const app = appOf(SIMPLE_CONFIG);
  await withServer(app, async (port) => {
    for (const name of ["X-Padding", "Authorization"]) {
      const value = name === "Authorization"
        ? `Bearer ${"t".repeat(64 * 1024)}`
        : "a".repeat(64 * 1024);
      const reply = await rawRequest(
        port,
        `GET /health/simple HTTP/1.1\r\nHost: 127.0.0.1\r\n${name}: ${value}\r\n` +
          "Connection: close\r\n\r\n",
      );
      // Deno 2.9.6 answers 400 and closes; Bun 1.4.4 answers 431 (its limit is 16 KiB).
      assert.ok(
        reply.status === undefined || [200, 400, 431].includes(reply.status),
        `${name}: unexpected reply ${JSON.stringify(reply.text.slice(0, 200))} ${reply.error}`,
      );
      const next = await fetch(`http://127.0.0.1:${port}/health/simple`);
      assert.equal(next.status, 200);
      assert.equal(await next.text(), UP_BODY);
    }
  });
});
