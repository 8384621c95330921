// The tabbyapi check (src/checks/tabbyapi.ts) against a TabbyAPI stand-in that
// answers as the real server does: healthy and unhealthy with its issues, the
// wrong path, the API key headers, requireModel, and bodies that are not
// TabbyAPI's. A body cut short by an out-of-process peer is in
// tests/scenarios/external/misbehaving_peers.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { CheckConfig } from "../../src/config/resolve.ts";
import { CHECK_BASE, runCheck } from "../_helpers/checks.ts";
import { json, startServer } from "../_helpers/servers.ts";
import { startTabby } from "../_helpers/tabby.ts";

function tabby(url: string, extra: Partial<CheckConfig> = {}): CheckConfig {
  return {
    ...CHECK_BASE,
    name: "llm",
    type: "tabbyapi",
    url,
    path: "/health",
    requireModel: false,
    ...extra,
  } as CheckConfig;
}

test("tabbyapi healthy 200 is UP", async () => {
  const server = await startTabby();
  try {
    const result = await runCheck(tabby(server.url));
    assert.equal(result.status, "UP");
    assert.equal(result.message, "healthy");
    assert.equal(server.state.requests[0]?.path, "/health");
    assert.equal(server.state.requests[0]?.method, "GET");
  } finally {
    await server.close();
  }
});

test("tabbyapi accepts the status word ok as healthy", async () => {
  const server = await startServer(() => json({ status: "ok", issues: [] }));
  try {
    const result = await runCheck(tabby(server.url));
    assert.equal(result.status, "UP");
    assert.equal(result.message, "ok");
  } finally {
    await server.close();
  }
});

test("tabbyapi unhealthy 503 is DOWN with the newest five issues, newest first", async () => {
  const issues = Array.from({ length: 7 }, (_, i) => ({
    time: `2026-11-21T11:24:4${i}.342748Z`,
    description: `RuntimeError: failure ${i}`,
  }));
  const server = await startTabby({ issues });
  try {
    const result = await runCheck(tabby(server.url));
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /^unhealthy \(HTTP 503\): 7 issues \(newest 5 shown\): /);
    assert.match(result.message, /\[2026-11-21T11:24:46\.342748Z\] RuntimeError: failure 6; /);
    assert.ok(result.message.indexOf("failure 6") < result.message.indexOf("failure 2"));
    assert.ok(!result.message.includes("failure 1"));
  } finally {
    await server.close();
  }
});

test("tabbyapi at the wrong path (v1/health) is DOWN with a clear 404 message", async () => {
  const server = await startTabby();
  try {
    const result = await runCheck(
      tabby(server.url, { path: "/v1/health" } as Partial<CheckConfig>),
    );
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /^HTTP 404 from .*\/v1\/health: no health endpoint there/);
  } finally {
    await server.close();
  }
});

test("tabbyapi sends the API key as x-api-key and Bearer when set", async () => {
  const server = await startTabby();
  try {
    await runCheck(tabby(server.url, { apiKey: "secret-key" } as Partial<CheckConfig>));
    assert.equal(server.state.requests[0]?.xApiKey, "secret-key");
    assert.equal(server.state.requests[0]?.authorization, "Bearer secret-key");
    await runCheck(tabby(server.url, { apiKey: "" } as Partial<CheckConfig>));
    assert.equal(server.state.requests[1]?.xApiKey, null);
    assert.equal(server.state.requests[1]?.authorization, null);
  } finally {
    await server.close();
  }
});

test("tabbyapi requireModel: no model loaded is DOWN, a loaded model is UP", async () => {
  const server = await startTabby();
  const config = tabby(
    server.url,
    { apiKey: "secret-key", requireModel: true } as Partial<CheckConfig>,
  );
  try {
    const none = await runCheck(config);
    assert.equal(none.status, "DOWN");
    assert.equal(none.message, "healthy, but no model loaded");
    server.state.model = "Qwen2.5-7B-exl2";
    const loaded = await runCheck(config);
    assert.equal(loaded.status, "UP");
    assert.equal(loaded.message, 'healthy, model "Qwen2.5-7B-exl2" loaded');
    assert.deepEqual(server.state.requests.map((r) => r.path), [
      "/health",
      "/v1/model",
      "/health",
      "/v1/model",
    ]);
  } finally {
    await server.close();
  }
});

test("tabbyapi requireModel with a wrong key is DOWN: API key rejected", async () => {
  const server = await startTabby({ model: "m" });
  try {
    const wrong = await runCheck(
      tabby(server.url, { apiKey: "wrong", requireModel: true } as Partial<CheckConfig>),
    );
    assert.equal(wrong.status, "DOWN");
    assert.equal(wrong.message, "API key rejected by /v1/model");
    const missing = await runCheck(
      tabby(server.url, { requireModel: true } as Partial<CheckConfig>),
    );
    assert.equal(missing.message, "API key required by /v1/model: set apiKey");
  } finally {
    await server.close();
  }
});

test("tabbyapi non-JSON or unexpected bodies are DOWN with a clear message", async () => {
  const server = await startServer((request) =>
    new URL(request.url).pathname === "/html"
      ? new Response("<html>hi</html>", { headers: { "content-type": "text/html" } })
      : json({ hello: "world" })
  );
  try {
    const html = await runCheck(tabby(server.url, { path: "/html" } as Partial<CheckConfig>));
    assert.equal(html.status, "DOWN");
    assert.match(html.message, /is not TabbyAPI JSON \(text\/html\): "<html>hi<\/html>"/);
    const other = await runCheck(tabby(server.url));
    assert.equal(other.status, "DOWN");
    assert.match(other.message, /is not TabbyAPI JSON/);
  } finally {
    await server.close();
  }
});

test("tabbyapi redirect from /health/ is reported, not followed", async () => {
  const server = await startTabby();
  try {
    const result = await runCheck(
      tabby(`${server.url}/`, { path: "/health/" } as Partial<CheckConfig>),
    );
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /HTTP 307 .* redirect to \/health not followed/);
  } finally {
    await server.close();
  }
});
