// The deep probe's traffic proof (src/checks/llm/progress.ts): a counter
// family summed over its samples, under the name as given, with ":" as "_",
// with or without "_total", and nothing else counted.

import assert from "node:assert/strict";
import { test } from "node:test";
import { counterSum, hasProgress } from "../../../src/checks/llm/progress.ts";

test("a counter's samples are summed over every label", () => {
  const text = [
    "# TYPE vllm:generation_tokens counter",
    'vllm:generation_tokens_total{model_name="m",engine="0"} 12.0',
    'vllm:generation_tokens_total{model_name="m",engine="1"} 30.0',
    'vllm:generation_tokens_created{model_name="m",engine="0"} 1.7e9',
    'vllm:prompt_tokens_total{model_name="m",engine="0"} 99.0',
  ].join("\n");
  assert.equal(counterSum(text, "vllm:generation_tokens"), 42);
});

test("a relabelled name (':' as '_') and a name without _total are the same counter", () => {
  assert.equal(counterSum("vllm_generation_tokens_total 5\n", "vllm:generation_tokens"), 5);
  assert.equal(
    counterSum('tgi_batch_inference_count{method="prefill"} 3\n', "tgi_batch_inference_count"),
    3,
  );
});

test("no sample of the family is no reading", () => {
  assert.equal(counterSum("other_total 1\n", "vllm:generation_tokens"), undefined);
  assert.equal(counterSum("", "x"), undefined);
});

test("only servers with a counter on their own /metrics have one", () => {
  assert.ok(hasProgress("vllm") && hasProgress("llamacpp") && hasProgress("tgi"));
  assert.ok(!hasProgress("ollama") && !hasProgress("tabbyapi") && !hasProgress("triton"));
});
