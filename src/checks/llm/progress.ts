/**
 * The deep probe's traffic proof: the server's own progress counter on this
 * run's metrics page (`metrics_page.ts`, the page the stall watchdog reads
 * too), summed over the configured model's series with `sumFamily`
 * (`metrics_text.ts`). The counter is the watchdog's (`stall_metrics.ts`):
 * vLLM `vllm:generation_tokens_total`, llama.cpp `llamacpp:n_decode_total`
 * (with `--metrics`; per model in router mode), TGI
 * `tgi_batch_inference_count` (prefill and decode), SGLang
 * `sglang:generation_tokens_total` (with `--enable-metrics`; moves when a
 * request ends), Triton its backend's counter, else `nv_inference_count` (per
 * request). Servers without metrics (TabbyAPI, Ollama, generic) have none:
 * their deep probe always generates when due.
 *
 * @module
 */

import type { MetricsPage } from "./metrics_page.ts";
import type { ModelMatcher } from "./model_match.ts";
import { firstFamily, type StallMetrics } from "./stall_metrics.ts";

/** A progress counter's reading: which family, and its sum. */
export interface Progress {
  readonly name: string;
  readonly value: number;
}

/**
 * The progress counter on `page`; `undefined` when the page was not read, its
 * scrape failed, or it has no such counter (then the deep probe generates, as
 * it would without metrics).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMetrics } from "./metrics_text.ts";
 * import { progressOf } from "./progress.ts";
 * import { STALL_METRICS } from "./stall_metrics.ts";
 * const samples = parseMetrics('nv_inference_count{model="m",version="1"} 3\n');
 * assert.deepEqual(progressOf({ samples }, STALL_METRICS.triton!), { name: "nv_inference_count", value: 3 });
 * ```
 */
export function progressOf(
  page: MetricsPage | undefined,
  metrics: StallMetrics,
  model?: ModelMatcher,
): Progress | undefined {
  if (page === undefined || !("samples" in page)) return undefined;
  const test = model === undefined ? undefined : (name: string) => model.matches(name);
  const queries = [...metrics.progress, ...(metrics.traffic ?? [])];
  const found = firstFamily(page.samples, queries, metrics, test);
  return found === undefined ? undefined : { name: found.query.name, value: found.sum };
}

/**
 * How far the counter moved from `reference` to `now`: a positive number when
 * the same counter rose, else `undefined` (no reference, another family, a
 * reset, or no movement).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressSince } from "./progress.ts";
 * const at = (value: number) => ({ name: "x_total", value });
 * assert.equal(progressSince(at(5), at(9)), 4);
 * assert.equal(progressSince(at(9), at(2)), undefined);
 * ```
 */
export function progressSince(
  reference: Progress | undefined,
  now: Progress | undefined,
): number | undefined {
  if (reference === undefined || now === undefined || reference.name !== now.name) return undefined;
  return now.value > reference.value ? now.value - reference.value : undefined;
}
