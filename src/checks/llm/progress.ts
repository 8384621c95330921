/**
 * The deep probe's traffic proof: a server's own generated-token counter,
 * read from its Prometheus metrics (`GET /metrics` on the server's port), for
 * the servers that have one there: vLLM (`vllm:generation_tokens_total`),
 * llama.cpp with `--metrics` (`llamacpp:n_decode_total`), TGI
 * (`tgi_batch_inference_count`, prefill and decode) and SGLang with
 * `--enable-metrics` (`sglang:generation_tokens_total`, which moves when a
 * request ends). Triton (metrics on another port) and the servers without
 * metrics have none: their deep probe always generates when due.
 *
 * The reading is deliberately small: it sums the samples of one counter
 * family (the name as given, with `:` as `_`, with or without `_total`),
 * every label included. A full reader of the text format for the stall
 * watchdog belongs in its own file; this one needs only one sum.
 *
 * @module
 */

import type { LlmServer } from "./presets/presets.ts";
import type { Requester } from "./request.ts";

/** The progress counter of each server that serves one on `/metrics`. */
const COUNTERS: Partial<Record<LlmServer, string>> = {
  vllm: "vllm:generation_tokens",
  llamacpp: "llamacpp:n_decode",
  tgi: "tgi_batch_inference_count",
  sglang: "sglang:generation_tokens",
};

/** The longest the scrape may take, in ms: a hung `/metrics` must not eat the run. */
const SCRAPE_TIMEOUT_MS = 2000;

/**
 * The sum of the samples of counter `family` in Prometheus text; `undefined`
 * when no sample of it is there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { counterSum } from "./progress.ts";
 * const text = 'x_total{engine="0"} 3.0\nx_total{engine="1"} 4\nx_created 1.7e9\n';
 * assert(counterSum(text, "x") === 7);
 * ```
 */
export function counterSum(text: string, family: string): number | undefined {
  const base = family.replace(/_total$/, "");
  const names = new Set([
    base,
    `${base}_total`,
    base.replaceAll(":", "_"),
    `${base.replaceAll(":", "_")}_total`,
  ]);
  let sum: number | undefined;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match === null || !names.has(match[1]!)) continue;
    const value = Number(match[3]);
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

/** Whether `server` has a progress counter this file reads. */
export const hasProgress = (server: LlmServer): boolean => COUNTERS[server] !== undefined;

/**
 * The server's progress counter now; `undefined` when it has none, or the
 * scrape fails (then the deep probe generates, as it would without metrics).
 */
export async function readProgress(
  server: LlmServer,
  requests: Requester,
  signal: AbortSignal,
): Promise<number | undefined> {
  const family = COUNTERS[server];
  if (family === undefined) return undefined;
  const reply = await requests.get("/metrics", signal, SCRAPE_TIMEOUT_MS);
  if (reply.kind !== "answer" || reply.status !== 200) return undefined;
  return counterSum(reply.text, family);
}
