// The deep probe's traffic proof (src/checks/llm/progress.ts): the server's
// progress counter on the run's metrics page, summed over the configured
// model's series, under the name as given, with ":" as "_", with or without
// "_total"; Triton's per-request nv_inference_count only when no backend
// counter is there; and the counter's rise since the reference.

import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMetrics } from "../../../src/checks/llm/metrics_text.ts";
import { modelMatcher } from "../../../src/checks/llm/model_match.ts";
import { progressOf, progressSince } from "../../../src/checks/llm/progress.ts";
import { STALL_METRICS } from "../../../src/checks/llm/stall_metrics.ts";

const page = (...lines: string[]) => ({ samples: parseMetrics(lines.join("\n") + "\n") });

test("a counter's samples are summed over every label of the model's series", () => {
  const text = page(
    'vllm:generation_tokens_total{model_name="m",engine="0"} 12.0',
    'vllm:generation_tokens_total{model_name="m",engine="1"} 30.0',
    'vllm:generation_tokens_total{model_name="other",engine="0"} 500.0',
    'vllm:generation_tokens_created{model_name="m",engine="0"} 1.7e9',
    'vllm:prompt_tokens_total{model_name="m",engine="0"} 99.0',
  );
  const found = progressOf(text, STALL_METRICS.vllm!, modelMatcher("m", false));
  assert.deepEqual(found, { name: "vllm:generation_tokens_total", value: 42 });
  assert.equal(progressOf(text, STALL_METRICS.vllm!)?.value, 542, "no model: every series");
});

test("a relabelled name (':' as '_') and a name without _total are the same counter", () => {
  assert.equal(
    progressOf(page("vllm_generation_tokens_total 5"), STALL_METRICS.vllm!)?.value,
    5,
  );
  const tgi = page(
    'tgi_batch_inference_count{method="prefill"} 3',
    'tgi_batch_inference_count{method="decode"} 4',
  );
  assert.equal(progressOf(tgi, STALL_METRICS.tgi!)?.value, 7);
});

test("Triton's backend counter comes first; nv_inference_count stands in when none is there", () => {
  const both = page(
    'nv_inference_count{model="m",version="1"} 3',
    'vllm:generation_tokens_total{model="m",version="1"} 40',
  );
  assert.equal(progressOf(both, STALL_METRICS.triton!)?.name, "vllm:generation_tokens_total");
  const core = page(
    'nv_inference_count{model="m",version="1"} 3',
    'nv_inference_count{model="x",version="1"} 9',
  );
  assert.deepEqual(progressOf(core, STALL_METRICS.triton!, modelMatcher("m", false)), {
    name: "nv_inference_count",
    value: 3,
  });
});

test("no page, a failed scrape or no sample of the family is no reading", () => {
  assert.equal(progressOf(undefined, STALL_METRICS.vllm!), undefined);
  assert.equal(progressOf({ reason: "refused" }, STALL_METRICS.vllm!), undefined);
  assert.equal(progressOf(page("other_total 1"), STALL_METRICS.vllm!), undefined);
});

test("only a rise of the same counter counts as progress", () => {
  const at = (value: number, name = "a") => ({ name, value });
  assert.equal(progressSince(at(1), at(4)), 3);
  assert.equal(progressSince(at(4), at(4)), undefined, "no movement");
  assert.equal(progressSince(at(4), at(1)), undefined, "a reset (restart) is not traffic");
  assert.equal(progressSince(at(1), at(4, "b")), undefined, "another family");
  assert.equal(progressSince(undefined, at(4)), undefined, "no reference yet");
  assert.equal(progressSince(at(1), undefined), undefined, "no reading now");
});
