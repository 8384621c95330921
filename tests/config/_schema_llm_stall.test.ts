// The `llm` kind's stall keys (src/config/_schema_llm_stall.ts) and the
// defaults the check fills in (src/checks/llm/stall_watch.ts): `stall` on by
// default where the server has metrics (stallAfter 2m, SGLang 10m; scrapeTimeout
// 2s), off for servers without; `stall` set for tabbyapi, ollama or openai is a
// config problem; `metricsUrl` defaults to url + /metrics, Triton's to port 8002.

import assert from "node:assert/strict";
import { test } from "node:test";
import { stallSettings } from "../../src/checks/llm/stall_watch.ts";
import { ConfigError } from "../../src/config/error.ts";
import { parseConfig } from "../../src/config/load.ts";

const FILE = "vitals.yaml";

function problems(text: string): string[] {
  try {
    parseConfig(text, FILE, {});
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
  return assert.fail("expected a ConfigError");
}

function llm(keys: string) {
  const check = parseConfig(`checks: [{ name: llm, type: llm, ${keys} }]`, FILE, {}).checks[0]!;
  assert.ok(check.type === "llm");
  return check;
}

test("stall is on where the server has metrics, with stallAfter 2m (sglang 10m) and scrapeTimeout 2s", () => {
  const vllm = stallSettings(llm("server: vllm, url: http://10.0.0.5:8000/"));
  assert.equal(vllm?.stallAfter, 120_000);
  assert.equal(vllm?.scrapeTimeout, 2000);
  assert.equal(vllm?.metricsUrl, "http://10.0.0.5:8000/metrics");
  assert.equal(stallSettings(llm("server: sglang, url: http://a"))?.stallAfter, 600_000);
  const triton = stallSettings(llm("server: triton, url: http://a:8000, model: m"));
  assert.equal(triton?.metricsUrl, "http://a:8002/metrics");
});

test("stall takes stallAfter, scrapeTimeout and metricsUrl, and false turns it off", () => {
  const set = stallSettings(
    llm(
      "server: tgi, url: http://a, stall: { stallAfter: 5m, scrapeTimeout: 500ms }, metricsUrl: http://b:9/m",
    ),
  );
  assert.deepEqual(
    [set?.stallAfter, set?.scrapeTimeout, set?.metricsUrl],
    [300_000, 500, "http://b:9/m"],
  );
  assert.equal(stallSettings(llm("server: vllm, url: http://a, stall: false")), undefined);
});

test("servers without metrics have no watchdog, and stall set for them is a config problem", () => {
  assert.equal(stallSettings(llm("server: tabbyapi, url: http://a")), undefined);
  assert.equal(
    stallSettings(llm("server: ollama, url: http://a, model: m, stall: false")),
    undefined,
  );
  const cases: [string, string][] = [
    ["tabbyapi", "TabbyAPI"],
    ["ollama", "Ollama"],
    ["openai", "An OpenAI-compatible server"],
  ];
  for (const [server, name] of cases) {
    assert.deepEqual(
      problems(
        `checks: [{ name: llm, type: llm, server: ${server}, url: http://a, model: m, stall: { stallAfter: 1m } }]`,
      ),
      [
        `checks[0].stall: ${name} has no metrics: the stall watchdog cannot run (remove stall, or set stall: false)`,
      ],
    );
  }
});

test("a malformed stall is a config problem naming the keys it takes", () => {
  assert.deepEqual(
    problems("checks: [{ name: llm, type: llm, server: vllm, url: http://a, stall: true }]"),
    ["checks[0].stall: expected false, or a mapping with stallAfter, scrapeTimeout, got true"],
  );
});
