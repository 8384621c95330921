/**
 * The deep probe's one generation, per server: the route and body of a
 * one-token, non-streamed generation through the server's own API (greedy:
 * `temperature` 0, except TGI, where 0 is a 422 and leaving it out is greedy),
 * and the reading of its answer as a {@link Look}: a 2xx serving, the
 * server's engine error failing `engine`, a missing model `model`, a refused
 * key `auth`, TGI's 429 `busy`.
 *
 * @module
 */

import { failing, loading, type Look, serving } from "./look.ts";
import type { LlmServer } from "./presets/presets.ts";
import { keyRefused, noAnswer, wordsOf } from "./presets/preset.ts";
import type { Reply } from "./request.ts";

/** One generation request: a POST of `body` to `path`. */
export interface GenerationRequest {
  readonly path: string;
  readonly body: unknown;
}

/** The OpenAI-style completion body vLLM, llama.cpp and generic servers take. */
const completion = (model: string, prompt: string) => ({
  model,
  prompt,
  max_tokens: 1,
  temperature: 0,
  stream: false,
});

/**
 * The generation request of `server` for `model` (the name the look found
 * served) with `prompt`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generationRequest } from "./generation.ts";
 * const { path, body } = generationRequest("tgi", "m", "hi");
 * assert(path === "/generate" && JSON.stringify(body) === '{"inputs":"hi","parameters":{"max_new_tokens":1}}');
 * ```
 */
export function generationRequest(
  server: LlmServer,
  model: string,
  prompt: string,
): GenerationRequest {
  switch (server) {
    case "tabbyapi":
      // No model field: with one, inline loading can start a swap.
      return {
        path: "/v1/completions",
        body: { prompt, max_tokens: 1, temperature: 0, stream: false },
      };
    case "vllm":
    case "llamacpp":
    case "openai":
      return { path: "/v1/completions", body: completion(model, prompt) };
    case "ollama":
      // Never num_ctx, num_batch, num_gpu (a reload) or keep_alive.
      return {
        path: "/api/generate",
        body: { model, prompt, stream: false, options: { num_predict: 1, temperature: 0 } },
      };
    case "tgi":
      return { path: "/generate", body: { inputs: prompt, parameters: { max_new_tokens: 1 } } };
    case "sglang":
      return {
        path: "/generate",
        body: { text: prompt, sampling_params: { max_new_tokens: 1, temperature: 0 } },
      };
    case "triton":
      return {
        path: `/v2/models/${encodeURIComponent(model)}/generate`,
        body: {
          text_input: prompt,
          parameters: {
            max_tokens: 1,
            temperature: 0,
            stream: false,
            exclude_input_in_output: true,
          },
        },
      };
  }
}

/** The server's words in an answer: its error message, else the start of the body. */
function words(reply: Extract<Reply, { kind: "answer" }>): string {
  return wordsOf(reply.json) ?? (reply.text.trim().slice(0, 120) || `HTTP ${reply.status}`);
}

/**
 * A generation's reply read as a look, for `server` serving `model`.
 * `started`: whether the server has served before (a refused connection).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generationLook } from "./generation.ts";
 * const reply = { kind: "answer", route: "POST /v1/completions", status: 500, text: "", json: { error: { message: "Compute error." } } } as const;
 * const look = generationLook("llamacpp", "m", reply, true, false);
 * assert(look.phase === "failing" && look.cause === "engine");
 * ```
 */
export function generationLook(
  server: LlmServer,
  model: string,
  reply: Reply,
  started: boolean,
  hasKey: boolean,
): Look {
  if (reply.kind === "timeout") {
    return failing("engine", `no token: ${reply.reason}`);
  }
  if (reply.kind !== "answer") return noAnswer(reply, started);
  const { status, route } = reply;
  if (status >= 200 && status < 300) return serving(model);
  if (status === 401 || status === 403) return keyRefused(reply, hasKey);
  const said = words(reply);
  const quoted = `${route} answered HTTP ${status}: ${JSON.stringify(said)}`;
  if (server === "tgi" && status === 429) return failing("busy", `busy: ${quoted}`);
  if (server === "llamacpp" && status === 503 && /loading model/i.test(said)) {
    return loading(`llama.cpp says ${JSON.stringify(said)}`);
  }
  if (status === 404 || (status === 400 && /model/i.test(said))) {
    return failing("model", `model ${JSON.stringify(model)} cannot generate: ${quoted}`);
  }
  if (status >= 500 || (server === "tgi" && status === 424)) {
    return failing("engine", `generation failed: ${quoted}`);
  }
  return failing("protocol", `generation not accepted: ${quoted}`);
}
