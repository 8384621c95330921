// The llm kind's entry (src/checks/llm/llm.ts): the headers each server gets
// (vitals' own, the configured ones, the preset's key headers), and a run
// against a port nobody listens on, which is loading before the server ever
// answered. Each server's looks are tested against its stand-in in
// tests/scenarios/external/llm_presets.test.ts and llm_presets_on_demand.test.ts
// (python3).

import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { llmHeaders, llmInspect } from "../../../src/checks/llm/llm.ts";
import { systemClock } from "../../../src/clock.ts";
import { platform } from "../../_helpers/platform.ts";

test("the key goes as each server takes it, and not at all to ollama and triton", () => {
  const key = { apiKey: "k3y-value" };
  assert.equal(llmHeaders({ server: "vllm", ...key })["authorization"], "Bearer k3y-value");
  const tabby = llmHeaders({ server: "tabbyapi", ...key });
  assert.equal(tabby["x-api-key"], "k3y-value");
  assert.equal(tabby["authorization"], "Bearer k3y-value");
  for (const server of ["ollama", "triton"] as const) {
    const headers = llmHeaders({ server, ...key });
    assert.equal(headers["authorization"], undefined, server);
    assert.equal(headers["x-api-key"], undefined, server);
  }
});

test("configured headers are sent, and the key header wins over one of the same name", () => {
  const headers = llmHeaders({
    server: "openai",
    apiKey: "k3y-value",
    headers: { "X-Proxy-Token": "p", Authorization: "Basic x" },
  });
  assert.equal(headers["x-proxy-token"], "p");
  assert.equal(headers["authorization"], "Bearer k3y-value");
  assert.match(headers["user-agent"]!, /^vitals\//);
});

/** A port on 127.0.0.1 that was free a moment ago (listened on, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test("a server that never answered is loading: started and ready DOWN, live UP", async () => {
  const port = await closedPort();
  const inspect = llmInspect(
    {
      server: "vllm",
      url: `http://127.0.0.1:${port}`,
      groups: ["started", "ready", "live"],
      timeout: 5000,
    },
    platform,
    systemClock,
  );
  const outcome = await inspect(new AbortController().signal);
  assert.equal(outcome.status, "DOWN");
  assert.equal(outcome.message, "loading: not listening yet (GET /health: connection refused)");
  assert.deepEqual(
    [
      outcome.byGroup?.started?.status,
      outcome.byGroup?.ready?.status,
      outcome.byGroup?.live?.status,
    ],
    ["DOWN", "DOWN", "UP"],
  );
});
