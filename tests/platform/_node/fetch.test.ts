/**
 * Reaching a port the Fetch standard blocks (src/platform: Deno's `fetch`
 * refuses 10080 and the like, so its platform falls back to
 * src/platform/_node/fetch.ts; Bun's `fetch` goes there directly): http and
 * tabbyapi checks against a real server on 127.0.0.1:10080 (6697 on Bun) are
 * UP on both runtimes, send their headers, and judge a redirect without
 * following it. Skipped, with the reason, when something else holds the
 * port. The body bridge under it (src/platform/_node/body.ts) against out-of-process peers
 * that misbehave is tests/scenarios/external/body_bridge.test.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { type RunningServer } from "../../../src/platform/mod.ts";
import { runCheck } from "../../_helpers/checks.ts";
import { platform } from "../../_helpers/platform.ts";
import { json } from "../../_helpers/servers.ts";

/**
 * A port on the Fetch standard's list of bad ports: 10080 on Deno, 6697 on Bun,
 * so the two runtimes can run this file at the same time (the fast tier does).
 */
const BLOCKED_PORT = platform.runtime === "deno" ? 10080 : 6697;

/** Serves `handler` on 127.0.0.1:{@link BLOCKED_PORT}. */
function serveBlocked(handler: (request: Request) => Response): Promise<RunningServer> {
  return platform.serve({
    hostname: "127.0.0.1",
    port: BLOCKED_PORT,
    handler: (request) => Promise.resolve(handler(request)),
  });
}

/** Why the tests cannot run here, or `false` when {@link BLOCKED_PORT} is free to listen on. */
async function busyReason(): Promise<string | false> {
  try {
    await (await serveBlocked(() => new Response())).shutdown(0);
    return false;
  } catch (error) {
    const reason = `127.0.0.1:${BLOCKED_PORT} is not free to listen on: ${String(error)}`;
    console.log(`skipping the blocked-port tests: ${reason}`);
    return reason;
  }
}

const skip = await busyReason();
const URL_BASE = `http://127.0.0.1:${BLOCKED_PORT}`;

test(
  `an http check to a server on blocked port ${BLOCKED_PORT} is UP, with its headers and body read`,
  {
    skip,
  },
  async () => {
    const seen: { method: string; probe: string | null }[] = [];
    const server = await serveBlocked((request) => {
      seen.push({ method: request.method, probe: request.headers.get("x-probe") });
      return new Response("all is well");
    });
    try {
      const get = await runCheck({
        type: "http",
        url: `${URL_BASE}/ready`,
        method: "GET",
        headers: { "X-Probe": "yes" },
        bodyContains: "is well",
      });
      assert.equal(get.status, "UP", get.message);
      assert.equal(get.message, 'HTTP 200, body contains "is well"');
      const head = await runCheck({ type: "http", url: `${URL_BASE}/ready`, method: "HEAD" });
      assert.equal(head.status, "UP", head.message);
      assert.deepEqual(seen, [{ method: "GET", probe: "yes" }, { method: "HEAD", probe: null }]);
    } finally {
      await server.shutdown(0);
    }
  },
);

test(`an http check to blocked port ${BLOCKED_PORT} judges a redirect without following it`, {
  skip,
}, async () => {
  const paths: string[] = [];
  const server = await serveBlocked((request) => {
    paths.push(new URL(request.url).pathname);
    return new Response(null, { status: 302, headers: { location: "http://u:pw@other/next" } });
  });
  try {
    const result = await runCheck({
      type: "http",
      url: `${URL_BASE}/ready`,
      method: "GET",
      expectStatus: [200],
    });
    assert.equal(result.status, "DOWN");
    assert.equal(
      result.message,
      "HTTP 302, redirect to http://***@other/next not followed (expected 200)",
    );
    assert.deepEqual(paths, ["/ready"]);
  } finally {
    await server.shutdown(0);
  }
});

test(`a tabbyapi check to a server on blocked port ${BLOCKED_PORT} is UP, model and key included`, {
  skip,
}, async () => {
  const keys: (string | null)[] = [];
  const server = await serveBlocked((request) => {
    const path = new URL(request.url).pathname;
    keys.push(request.headers.get("x-api-key"));
    if (path === "/health") return json({ status: "healthy", issues: [] });
    if (path === "/v1/model") return json({ id: "llama", object: "model" });
    return json({ detail: "Not Found" }, 404);
  });
  try {
    const health = await runCheck({
      type: "tabbyapi",
      url: URL_BASE,
      path: "/health",
      requireModel: false,
    });
    assert.equal(health.status, "UP", health.message);
    assert.equal(health.message, "healthy");
    const model = await runCheck({
      type: "tabbyapi",
      url: URL_BASE,
      path: "/health",
      apiKey: "key-10080",
      requireModel: true,
    });
    assert.equal(model.status, "UP", model.message);
    assert.equal(model.message, 'healthy, model "llama" loaded');
    assert.deepEqual(keys, [null, "key-10080", "key-10080"]);
  } finally {
    await server.shutdown(0);
  }
});

test(`the platform's fetch reaches blocked port ${BLOCKED_PORT}, which Deno's own fetch refuses`, {
  skip,
}, async () => {
  const server = await serveBlocked(() => new Response("through"));
  try {
    if (platform.runtime === "deno") {
      // What the fallback is for: without it, every check of this port would fail.
      await assert.rejects(fetch(`${URL_BASE}/`), /Requests to port 10080 are blocked/);
    }
    const response = await platform.fetch(`${URL_BASE}/`, {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "through");
  } finally {
    await server.shutdown(0);
  }
});

test(
  `an http check POSTs its body to blocked port ${BLOCKED_PORT}, with its length and content type`,
  {
    skip,
  },
  async () => {
    // node:http, which reads request bodies (vitals' own server on Deno refuses them).
    const seen: Record<string, string | undefined>[] = [];
    const server = createServer((request, response) => {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => body += chunk);
      request.on("end", () => {
        const { "content-type": type, "content-length": length } = request.headers;
        seen.push({ method: request.method, type, length, body });
        response.writeHead(200, { "content-type": "application/json", connection: "close" });
        response.end('{"status":"ok"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(BLOCKED_PORT, "127.0.0.1", resolve));
    try {
      const result = await runCheck({
        type: "http",
        url: `${URL_BASE}/search`,
        method: "POST",
        body: '{"query":"é"}',
        json: [{ path: "$.status", equals: "ok" }],
      });
      assert.equal(result.status, "UP", result.message);
      assert.deepEqual(seen, [{
        method: "POST",
        type: "text/plain;charset=UTF-8",
        length: "14",
        body: '{"query":"é"}',
      }]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  },
);
