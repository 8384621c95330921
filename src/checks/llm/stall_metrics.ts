/**
 * Which metrics the stall watchdog reads on each LLM server: the waiting gauge
 * (W), the running gauge (R), the progress counter (P), the model label, and
 * where the page is served; and the step that turns a parsed page into the
 * watchdog's reading. Names come from the servers' own code and docs, cited per
 * entry as the design of the `llm` kind cites them; servers without metrics
 * (TabbyAPI, Ollama, generic OpenAI) have no entry.
 *
 * @module
 */

import type { LlmServer } from "./presets/presets.ts";
import { type FamilyQuery, type MetricSample, sumFamily } from "./metrics_text.ts";
import type { StallScrape } from "./stall.ts";

/** Where a server's metrics page is: its API port, or another port of the same host. */
export type MetricsWhere = { readonly samePort: true } | { readonly port: number };

/** The watchdog's metric names for one server. Each figure lists alternatives: the first present is used. */
export interface StallMetrics {
  readonly waiting: readonly FamilyQuery[];
  /** Empty when the server has no running gauge (W alone then counts as requests present). */
  readonly running: readonly FamilyQuery[];
  readonly progress: readonly FamilyQuery[];
  /**
   * Counters that move only when a request ends, read for the deep probe's
   * traffic skip when no progress counter is on the page (never by the watchdog).
   */
  readonly traffic?: readonly FamilyQuery[];
  /** The label that names the model, filtered on when `model` is set. */
  readonly modelLabel?: string;
  /** The default metrics location (`metricsUrl` overrides it). */
  readonly where: MetricsWhere;
  /** Said in the stall message: how the progress counter moves, when it is not per step. */
  readonly note?: string;
}

const SAME: MetricsWhere = { samePort: true };

/** The stall metrics of every server that has some. */
export const STALL_METRICS: Readonly<Partial<Record<LlmServer, StallMetrics>>> = {
  // vllm/v1/metrics/loggers.py @ 005a810b (PrometheusStatLogger): gauges and a
  // per-step counter labelled model_name and engine, one series per
  // data-parallel engine (summed); /metrics always mounted
  // (entrypoints/serve/instrumentator/metrics.py @ 02a69ad2). The `vllm:`
  // prefix is kept (vllm PR #33824 to rename it was closed): `vllm_` is
  // accepted by the name matching.
  vllm: {
    waiting: [{ name: "vllm:num_requests_waiting" }],
    running: [{ name: "vllm:num_requests_running" }],
    progress: [{ name: "vllm:generation_tokens_total" }],
    modelLabel: "model_name",
    where: SAME,
  },
  // llama-server handle_metrics (examples/server/server.cpp @ 03d4bccb; names
  // in tools/server/README.md "GET /metrics" @ 00dc8057), only with --metrics,
  // unlabelled. n_decode_total counts llama_decode() calls (per step), not
  // tokens_predicted_total (added when a request ends).
  llamacpp: {
    waiting: [{ name: "llamacpp:requests_deferred" }],
    running: [{ name: "llamacpp:requests_processing" }],
    progress: [{ name: "llamacpp:n_decode_total" }],
    where: SAME,
  },
  // TGI docs/source/reference/metrics.md and call sites (backends/v3/src/queue.rs,
  // backend.rs; router/src/server.rs) @ db931fcf. No model label; the
  // inference count is summed over `method` (prefill and decode); counters
  // without `_total` (metrics-exporter-prometheus 0.15.1), both accepted.
  tgi: {
    waiting: [{ name: "tgi_queue_size" }],
    running: [{ name: "tgi_batch_current_size" }],
    progress: [{ name: "tgi_batch_inference_count" }],
    where: SAME,
  },
  // SGLang python/sglang/srt/metrics/collector.py @ 00ae9c15, only with
  // --enable-metrics; labels include model_name. generation_tokens_total is
  // incremented in observe_one_finished_request: it moves when a request ends.
  sglang: {
    waiting: [{ name: "sglang:num_queue_reqs" }],
    running: [{ name: "sglang:num_running_reqs" }],
    progress: [{ name: "sglang:generation_tokens_total" }],
    modelLabel: "model_name",
    where: SAME,
    note: "SGLang counts tokens when a request ends, so stallAfter must exceed the longest request",
  },
  // Triton docs/user_guide/metrics.md @ e1db8a60 (pending count, labels model
  // and version; metrics on port 8002); TRT-LLM tensorrtllm_backend README @
  // 0b9d7d5a (request_type "active"; iteration_counter is a gauge that only
  // rises); vLLM backend vllm_backend README @ 8de0c148 with
  // REPORT_CUSTOM_METRICS (no running gauge: W alone). nv_inference_count
  // (per model, counted per request, not per token; metrics.md) is on every
  // Triton page: it proves traffic for the deep probe when neither backend
  // counter is there.
  triton: {
    waiting: [{ name: "nv_inference_pending_request_count" }],
    running: [{ name: "nv_trt_llm_request_metrics", labels: { request_type: "active" } }],
    progress: [
      { name: "vllm:generation_tokens_total" },
      { name: "nv_trt_llm_general_metrics", labels: { general_type: "iteration_counter" } },
    ],
    traffic: [{ name: "nv_inference_count" }],
    modelLabel: "model",
    where: { port: 8002 },
  },
};

/** The stall metrics of `server`, or `undefined` when it has none. */
export function stallMetricsFor(server: LlmServer): StallMetrics | undefined {
  return STALL_METRICS[server];
}

/**
 * The watchdog's reading from a parsed metrics page: W, R and P summed over
 * the model's series (`model` tests the model label's value; every series when
 * unset), or a failed reading naming what is missing. A missing running gauge
 * reads 0 when the server has none; a missing waiting gauge or progress counter
 * fails the reading (the watchdog then says nothing new, see `stall.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMetrics } from "./metrics_text.ts";
 * import { readingFrom, STALL_METRICS } from "./stall_metrics.ts";
 * const page = parseMetrics("tgi_queue_size 3\ntgi_batch_current_size 0\n" +
 *   'tgi_batch_inference_count{method="prefill"} 4\ntgi_batch_inference_count{method="decode"} 5\n');
 * assert.deepEqual(readingFrom(page, STALL_METRICS.tgi!), { ok: true, waiting: 3, running: 0, progress: 9 });
 * ```
 */
export function readingFrom(
  samples: readonly MetricSample[],
  metrics: StallMetrics,
  model?: (name: string) => boolean,
): StallScrape {
  const pick = (queries: readonly FamilyQuery[]) =>
    firstFamily(samples, queries, metrics, model)?.sum;
  const waiting = pick(metrics.waiting);
  const running = metrics.running.length === 0 ? 0 : pick(metrics.running) ?? 0;
  const progress = pick(metrics.progress);
  const missing = [
    waiting === undefined ? metrics.waiting : [],
    progress === undefined ? metrics.progress : [],
  ].flat().map((query) => `"${query.name}"`);
  if (waiting === undefined || progress === undefined) {
    return { ok: false, reason: `metrics page has no ${missing.join(" or ")}` };
  }
  return { ok: true, waiting, running, progress };
}

/**
 * The first of `queries` present on the page, summed over the model's series
 * (`model` tests the server's model label; every series when unset), with the
 * query that matched; `undefined` when none is there.
 */
export function firstFamily(
  samples: readonly MetricSample[],
  queries: readonly FamilyQuery[],
  metrics: Pick<StallMetrics, "modelLabel">,
  model?: (name: string) => boolean,
): { readonly query: FamilyQuery; readonly sum: number } | undefined {
  for (const query of queries) {
    const labels = model && metrics.modelLabel
      ? { ...query.labels, [metrics.modelLabel]: model }
      : query.labels ?? {};
    const sum = sumFamily(samples, { ...query, labels });
    if (sum !== undefined) return { query, sum };
  }
  return undefined;
}
