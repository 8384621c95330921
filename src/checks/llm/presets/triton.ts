/**
 * The Triton Inference Server preset's cheap look: `GET /v2/health/live`
 * (200 live; 400 not live: the engine; 503 "Server exiting"), then the
 * model's own readiness, `GET /v2/models/{model}/ready` (never the server's
 * `/v2/health/ready`, which is 400 while any other model loads and 200 with
 * ours unloaded). 404 "no available versions" is loading or unloaded, told
 * apart by `POST /v2/repository/index` (`LOADING`, or `UNAVAILABLE`); 400
 * "… is not found" is the wrong model; 400 "Model version not ready" is a
 * dead backend stub. A `/regex/` model is looked up in the index first. A
 * restricted API (403 "This API is restricted") is the key's failure: its
 * header comes from `headers`.
 *
 * @module
 */

import { failing, loading, type Look } from "../look.ts";
import { listed } from "../model_match.ts";
import type { Reply } from "../request.ts";
import {
  keyRefused,
  type LookContext,
  noAnswer,
  type Preset,
  servingOneOf,
  unexpected,
  wordsOf,
} from "./preset.ts";

const TITLE = "Triton";

interface IndexEntry {
  readonly name: string;
  readonly state: string;
  readonly reason: string;
}

type Answer = Extract<Reply, { kind: "answer" }>;

/** The repository index, or a look that says why it could not be read. */
async function repositoryIndex(context: LookContext): Promise<IndexEntry[] | Look> {
  const reply = await context.requests.post("/v2/repository/index", {}, context.signal);
  if (reply.kind !== "answer") return noAnswer(reply, context.started);
  if (reply.status === 403) return keyRefused(reply, context.hasKey);
  const entries: unknown = reply.json;
  if (reply.status !== 200 || !Array.isArray(entries)) return unexpected(reply, TITLE);
  return entries.flatMap((entry) =>
    typeof entry?.name === "string"
      ? [{ name: entry.name, state: String(entry.state ?? ""), reason: String(entry.reason ?? "") }]
      : []
  );
}

/** A 404 on the model's readiness: the index says whether it loads or was unloaded. */
async function notAvailable(name: string, reply: Answer, context: LookContext): Promise<Look> {
  const index = await repositoryIndex(context);
  if (!Array.isArray(index)) return index;
  const entry = index.find((candidate) => candidate.name === name);
  const quoted = JSON.stringify(name);
  if (entry?.state === "LOADING") return loading(`Triton's index says model ${quoted} is LOADING`);
  const state = entry ? `${entry.state}${entry.reason ? ` (${entry.reason})` : ""}` : "not listed";
  return failing(
    "model",
    `model ${quoted} is not loaded: ${TITLE} says ${
      JSON.stringify(wordsOf(reply.json) ?? "")
    }, index: ${state}`,
  );
}

/** A 400 on the model's readiness: unknown model, or a backend not ready. */
async function refused400(name: string, reply: Answer, context: LookContext): Promise<Look> {
  const words = wordsOf(reply.json) ?? "HTTP 400";
  if (!/not found/i.test(words)) {
    return failing(
      "engine",
      `model ${JSON.stringify(name)}: ${TITLE} says ${JSON.stringify(words)}`,
    );
  }
  const index = await repositoryIndex(context);
  if (!Array.isArray(index)) return index;
  const ready = index.filter((entry) => entry.state === "READY").map((entry) => entry.name);
  return failing(
    "model",
    `model ${JSON.stringify(name)} is not loaded: serving ${listed(ready)} (${TITLE} says ${
      JSON.stringify(words)
    })`,
  );
}

/** The `triton` preset. */
export const triton: Preset = {
  title: TITLE,
  keyHeaders: () => ({}),
  async look(context) {
    const { requests, signal } = context;
    const live = await requests.get("/v2/health/live", signal);
    if (live.kind !== "answer") return noAnswer(live, context.started);
    if (live.status === 403) return keyRefused(live, context.hasKey);
    if (live.status === 503) {
      return failing(
        "unreachable",
        `${TITLE} is exiting: ${JSON.stringify(wordsOf(live.json) ?? "HTTP 503")}`,
      );
    }
    if (live.status === 400) {
      return failing("engine", `${TITLE}'s ${live.route} says not live (HTTP 400)`);
    }
    if (live.status !== 200) return unexpected(live, TITLE);
    // The schema requires model for triton.
    const model = context.model!;
    let name = model.exact;
    if (name === undefined) {
      const index = await repositoryIndex(context);
      if (!Array.isArray(index)) return index;
      const found = index.find((entry) => model.matches(entry.name) && entry.state === "READY") ??
        index.find((entry) => model.matches(entry.name));
      if (found === undefined) {
        return failing(
          "model",
          `${model.words} is not listed: ${TITLE}'s index lists ${
            listed(index.map((e) => e.name))
          }`,
        );
      }
      name = found.name;
    }
    const ready = await requests.get(`/v2/models/${encodeURIComponent(name)}/ready`, signal);
    if (ready.kind !== "answer") return noAnswer(ready, context.started);
    if (ready.status === 200) return servingOneOf([name], undefined, ready.route);
    if (ready.status === 403) return keyRefused(ready, context.hasKey);
    if (ready.status === 404) return await notAvailable(name, ready, context);
    if (ready.status === 400) return await refused400(name, ready, context);
    return unexpected(ready, TITLE);
  },
};
