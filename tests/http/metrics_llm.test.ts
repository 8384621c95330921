// The `llm` families of /metrics (src/http/_metrics_llm.ts, rendered by
// src/http/metrics.ts), parsed by a real Prometheus parser: from a real app
// whose llm check runs against the out-of-process vLLM stand-in
// (tests/fixtures/llm/vllm.py, Python), the first-token time of its deep
// probe, the served model, the stall clock (0: not running) and the phase flow
// from the check's run to the scrape; a stalled check shows the stall clock
// and phase failing; a check of another kind adds no llm family. Without
// python3 the stand-in tests skip and say why.

import assert from "node:assert/strict";
import { test } from "node:test";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { renderMetrics, RequestCounter } from "../../src/http/metrics.ts";
import type { CheckView, LlmFigures } from "../../src/types.ts";
import { appOf } from "../_helpers/apps.ts";
import { get } from "../_helpers/http.ts";
import { startStandIn } from "../_helpers/llm_stand_in.ts";
import { missingPython } from "../_helpers/raw_peer.ts";

interface Family {
  name: string;
  type: string;
  help: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

function parse(text: string): Map<string, Family> {
  const families = parsePrometheusTextFormat(text) as Family[];
  return new Map(families.map((family) => [family.name, family]));
}

function values(families: Map<string, Family>, name: string): Record<string, number> {
  const family = families.get(name);
  assert.ok(family, `family ${name} is present`);
  assert.equal(family.type, "GAUGE");
  return Object.fromEntries(
    family.metrics.map((metric) => [JSON.stringify(metric.labels ?? {}), Number(metric.value)]),
  );
}

function view(name: string, type: string, llm?: LlmFigures): CheckView {
  return {
    name,
    type,
    status: "UP",
    critical: true,
    durationMs: 12.5,
    message: "ok",
    checkedAt: "2026-11-21T11:24:41.342Z",
    lastOutcome: "UP",
    consecutiveFailures: 0,
    consecutiveSuccesses: 1,
    ...(llm === undefined ? {} : { llm }),
  } as CheckView;
}

function render(views: CheckView[]): string {
  const health = {
    checks: views.map((v) => ({
      check: { name: v.name },
      state: { view: v, lastSuccessAt: 0, runs: { UP: 1, WARN: 0, DOWN: 0 } },
    })),
    last: undefined,
    evaluations: 1,
  };
  return renderMetrics(health as never, new RequestCounter(), "deno", 1_795_000_000_000);
}

test("llm families render each llm check's first-token time, model, stall clock and phase", () => {
  const text = render([
    view("gpu", "llm", {
      server: "vllm",
      model: 'Qwen/"2.5"',
      phase: "failing",
      firstTokenSeconds: 0.042,
      stallSeconds: 75,
    }),
    view("cold", "llm", { server: "tabbyapi", phase: "loading" }),
    view("disk", "command"),
  ]);
  const families = parse(text);
  assert.deepEqual(values(families, "vitals_llm_first_token_seconds"), {
    '{"check":"gpu"}': 0.042,
  });
  assert.deepEqual(values(families, "vitals_llm_model_info"), {
    '{"check":"gpu","server":"vllm","model":"Qwen/\\"2.5\\""}': 1,
  });
  assert.deepEqual(values(families, "vitals_llm_stall_seconds"), { '{"check":"gpu"}': 75 });
  const phases = values(families, "vitals_llm_phase");
  assert.equal(phases['{"check":"gpu","phase":"failing"}'], 1);
  assert.equal(phases['{"check":"gpu","phase":"serving"}'], 0);
  assert.equal(phases['{"check":"cold","phase":"loading"}'], 1);
  assert.equal(Object.keys(phases).length, 8, "four phases per llm check, none for disk");
  for (
    const name of ["vitals_llm_first_token_seconds", "vitals_llm_stall_seconds", "vitals_llm_phase"]
  ) {
    assert.match(families.get(name)!.help, /check/);
  }
});

test("without llm checks /metrics has no llm family", () => {
  const text = render([view("disk", "command")]);
  assert.doesNotMatch(text, /vitals_llm_/);
});

test(
  "a real llm check's figures reach /metrics: first-token time, model, stall clock 0, phase serving",
  { skip: missingPython("the llm /metrics test") },
  async () => {
    const standIn = await startStandIn("vllm", ["--model", "test-model", "--phase", "serving"]);
    const app = appOf(
      `cache: {ttl: 30s}
checks:
  - name: gpu
    type: llm
    server: vllm
    url: ${standIn.url}
    model: test-model
    generate: { timeout: 5s }
`,
    );
    try {
      await get(app, "/health");
      const response = await get(app, "/metrics");
      assert.equal(response.status, 200);
      const families = parse(await response.text());
      const ttft = values(families, "vitals_llm_first_token_seconds")['{"check":"gpu"}'];
      assert.ok(ttft !== undefined && ttft > 0 && ttft < 5, `first token ${ttft} s`);
      assert.deepEqual(values(families, "vitals_llm_model_info"), {
        '{"check":"gpu","server":"vllm","model":"test-model"}': 1,
      });
      assert.deepEqual(values(families, "vitals_llm_stall_seconds"), { '{"check":"gpu"}': 0 });
      const phases = values(families, "vitals_llm_phase");
      assert.equal(phases['{"check":"gpu","phase":"serving"}'], 1);
      assert.equal(phases['{"check":"gpu","phase":"failing"}'], 0);
    } finally {
      await standIn.stop();
    }
  },
);
