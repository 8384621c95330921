/**
 * What a server preset is (its key headers and its cheap look), what a look
 * is given, and the readings every preset shares: a request that got no
 * answer, a key refused, an answer that is not the server's, a model list
 * matched against `model`, and the server's own words quoted from a body.
 *
 * The deep generation probe is not a member: each server's generation is in
 * `../generation.ts`, run by `../deep_probe.ts` after the look.
 *
 * @module
 */

import { failing, loading, type Look, serving } from "../look.ts";
import { listed, type ModelMatcher } from "../model_match.ts";
import type { Reply, Requester } from "../request.ts";

/** What a preset's look is given. */
export interface LookContext {
  readonly requests: Requester;
  readonly signal: AbortSignal;
  /** The configured model; `undefined`: any model the server serves. */
  readonly model: ModelMatcher | undefined;
  /** Whether an API key is configured (for the message on a 401). */
  readonly hasKey: boolean;
  /** Whether this check has seen the server serving or idle before. */
  readonly started: boolean;
  /** The check's timeout, in ms: requests that may hang get a share of it. */
  readonly timeoutMs: number;
}

/** One server's preset. */
export interface Preset {
  /** The server's name in messages: `vLLM`, `llama.cpp`. */
  readonly title: string;
  /** The headers that carry `apiKey` (none when the server takes no key). */
  keyHeaders(apiKey: string): Record<string, string>;
  /** The cheap look: liveness, readiness, the loading signal, the model. */
  look(context: LookContext): Promise<Look>;
}

/** The usual key header: `Authorization: Bearer KEY`. */
export const bearer = (apiKey: string): Record<string, string> => ({
  authorization: `Bearer ${apiKey}`,
});

/**
 * A request that got no answer: refused before the server first served is
 * loading (it does not listen yet), anything else is unreachable.
 */
export function noAnswer(reply: Exclude<Reply, { kind: "answer" }>, started: boolean): Look {
  if (reply.kind === "refused" && !started) {
    return loading(`not listening yet (${reply.route}: connection refused)`);
  }
  return failing("unreachable", reply.reason);
}

/** What {@link slowHealth} found: a note for the message, a look that settles it, or a 503 to read. */
export type SlowHealth =
  | { readonly more: string }
  | { readonly look: Look }
  | { readonly unhealthy: Extract<Reply, { kind: "answer" }> };

/**
 * `GET /health` of a server whose health route waits behind long requests
 * (vLLM, TGI), asked with half the check's timeout. Not answering in it gives
 * no verdict, only a note for the message (`more`); 200 is alive (`more`
 * empty); 503 is the server's to read (`unhealthy`); anything else settles
 * the look (`look`).
 */
export async function slowHealth(context: LookContext, title: string): Promise<SlowHealth> {
  const { requests, signal } = context;
  const health = await requests.get("/health", signal, Math.floor(context.timeoutMs / 2));
  if (health.kind === "timeout") return { more: `; ${health.reason} (busy: no verdict from it)` };
  if (health.kind !== "answer") return { look: noAnswer(health, context.started) };
  if (health.status === 503) return { unhealthy: health };
  if (health.status !== 200) return { look: unexpected(health, title) };
  return { more: "" };
}

/** A 401 or 403: the key is missing or wrong. */
export function keyRefused(reply: Extract<Reply, { kind: "answer" }>, hasKey: boolean): Look {
  return failing(
    "auth",
    hasKey
      ? `API key rejected by ${reply.route} (HTTP ${reply.status})`
      : `API key required by ${reply.route} (HTTP ${reply.status}): set apiKey`,
  );
}

/** An answer this preset does not expect: not that server, or not that version. */
export function unexpected(reply: Extract<Reply, { kind: "answer" }>, title: string): Look {
  const start = reply.text.trim().slice(0, 80);
  return failing(
    "protocol",
    `unexpected HTTP ${reply.status} from ${reply.route} for ${title}${
      start === "" ? "" : `: ${JSON.stringify(start)}`
    }`,
  );
}

/**
 * The server's own words in an error body: `error.message`, `error` (a
 * string), `detail` or `message`, whichever it has.
 */
export function wordsOf(json: unknown): string | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const body = json as Record<string, unknown>;
  const error = body.error;
  if (typeof error === "string") return error;
  if (typeof error === "object" && error !== null) {
    const message = (error as Record<string, unknown>).message;
    if (typeof message === "string") return message;
  }
  for (const key of ["detail", "message"]) {
    if (typeof body[key] === "string") return body[key] as string;
  }
  return undefined;
}

/** The `id`s of an OpenAI-style model list (`{"data":[{"id"}]}`), `undefined` when it is not one. */
export function openaiIds(json: unknown): string[] | undefined {
  const data = (json as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) return undefined;
  return data.flatMap((entry) => {
    const id = (entry as { id?: unknown } | null)?.id;
    return typeof id === "string" ? [id] : [];
  });
}

/**
 * Serving when the server serves the configured model (or any, with none
 * configured); else failing: model, naming what it serves instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelMatcher } from "../model_match.ts";
 * import { servingOneOf } from "./preset.ts";
 * const look = servingOneOf(["b"], modelMatcher("a", false), "GET /v1/models");
 * assert(look.phase === "failing" && look.message === 'model "a" is not loaded: serving "b"');
 * ```
 */
export function servingOneOf(
  names: readonly string[],
  model: ModelMatcher | undefined,
  route: string,
  more = "",
): Look {
  if (names.length === 0) {
    return failing(
      "model",
      model ? `${model.words} is not loaded: ${route} lists no model` : `${route} lists no model`,
    );
  }
  const name = model ? names.find((candidate) => model.matches(candidate)) : names[0];
  if (name !== undefined) return serving(name, more);
  return failing("model", `${model!.words} is not loaded: serving ${listed(names)}`);
}
