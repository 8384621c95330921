/**
 * The vLLM preset's cheap look: `GET /health` (200 alive, 503 engine dead,
 * no key), then `GET /v1/models` with the key (the served names, LoRA
 * adapters included). vLLM refuses connections until its model has loaded;
 * a `/v1/models` 503 (llm-d's sidecar in front of a loading vLLM) is loading
 * too. `/health` answers late under heavy decode: it gets half the check's
 * timeout, and when it does not answer in that time it gives no verdict and
 * the listing decides. `/health` 200 says nothing about a wedged engine and
 * the listing is static: only the deep probe (`../deep_probe.ts`) proves generation.
 *
 * @module
 */

import { failing, loading, type Look } from "../look.ts";
import {
  bearer,
  keyRefused,
  type LookContext,
  noAnswer,
  openaiIds,
  type Preset,
  servingOneOf,
  slowHealth,
  unexpected,
} from "./preset.ts";

/**
 * Reads `GET /v1/models` of an OpenAI-style server (vLLM, llama.cpp single
 * mode, the generic preset): 503 loading, 401/403 the key, 200 the names.
 */
export async function listedModels(
  context: LookContext,
  title: string,
  more = "",
): Promise<Look> {
  const reply = await context.requests.get("/v1/models", context.signal);
  if (reply.kind !== "answer") return noAnswer(reply, context.started);
  if (reply.status === 503) return loading(`${reply.route} answered HTTP 503`);
  if (reply.status === 401 || reply.status === 403) return keyRefused(reply, context.hasKey);
  const ids = reply.status === 200 ? openaiIds(reply.json) : undefined;
  if (ids === undefined) return unexpected(reply, title);
  return servingOneOf(ids, context.model, reply.route, more);
}

/** The `vllm` preset. */
export const vllm: Preset = {
  title: "vLLM",
  keyHeaders: bearer,
  async look(context) {
    const health = await slowHealth(context, "vLLM");
    if ("look" in health) return health.look;
    if ("unhealthy" in health) {
      return failing("engine", `engine dead: vLLM's ${health.unhealthy.route} answered HTTP 503`);
    }
    return await listedModels(context, "vLLM", health.more);
  },
};
