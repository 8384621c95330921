/**
 * The llama.cpp (`llama-server`) preset's cheap look. `GET /health`: 200
 * alive, 503 "Loading model" while the model loads (llama-server listens
 * during the load). `GET /v1/models`: in router mode (entries with `status`)
 * the configured model's `status.value` decides (`loaded` serving, `loading`,
 * `sleeping` and `unloaded` idle, `failed` the model); in single-model mode
 * the one entry's `id` must match (`meta: null` is a load in builds that list
 * during it), and `GET /props` (key) tells a sleeping server (`is_sleeping`,
 * idle) from a serving one. In router mode the look also names the metrics
 * page of the model (`?model=<id>`) while it is loaded, and forbids the
 * scrape while it is not. `/health` stays 200 through a "Compute error.",
 * which only the deep probe (`../deep_probe.ts`) sees.
 *
 * @module
 */

import { failing, idle, loading, type Look } from "../look.ts";
import { listed } from "../model_match.ts";
import type { Reply } from "../request.ts";
import {
  bearer,
  keyRefused,
  type LookContext,
  noAnswer,
  openaiIds,
  type Preset,
  servingOneOf,
  unexpected,
  wordsOf,
} from "./preset.ts";

const TITLE = "llama.cpp";

interface RouterEntry {
  readonly id: string;
  readonly value: string;
  readonly failed: boolean;
}

/** A 503 with llama.cpp's words, as a loading look. */
function loadingFrom(reply: Extract<Reply, { kind: "answer" }>): Look {
  const words = wordsOf(reply.json) ?? `HTTP ${reply.status}`;
  return loading(`${TITLE} says ${JSON.stringify(words)}`);
}

/** Router mode's entries, or `undefined` when the list is single-model mode's. */
function routerEntries(json: unknown): RouterEntry[] | undefined {
  const data = (json as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data) || !data.some((entry) => typeof entry?.status === "object")) {
    return undefined;
  }
  return data.flatMap((entry) => {
    const status = entry?.status as { value?: unknown; failed?: unknown } | undefined;
    if (typeof entry?.id !== "string" || typeof status !== "object" || status === null) return [];
    return [{ id: entry.id, value: String(status.value), failed: status.failed === true }];
  });
}

function routerLook(entries: readonly RouterEntry[], context: LookContext): Look {
  const entry = context.model
    ? entries.find((candidate) => context.model!.matches(candidate.id))
    : entries.find((candidate) => candidate.value === "loaded") ?? entries[0];
  if (entry === undefined) {
    const wanted = context.model ? context.model.words : "a model";
    return failing(
      "model",
      `${wanted} is not listed by ${TITLE}: listed ${listed(entries.map((e) => e.id))}`,
    );
  }
  const name = JSON.stringify(entry.id);
  if (entry.failed) return failing("model", `model ${name} failed to load (${TITLE} router)`);
  // The router serves metrics per model (`/metrics?model=<id>`), and a request
  // naming a model that is not loaded loads it: scrape only a loaded model.
  const off = { scrape: false } as const;
  switch (entry.value) {
    case "loaded":
      return {
        ...servingOneOf([entry.id], undefined, "GET /v1/models"),
        scrape: { query: `?model=${encodeURIComponent(entry.id)}` },
      };
    case "loading":
      return { ...loading(`${TITLE} router says model ${name} is loading`), ...off };
    case "sleeping":
      return { ...idle(`model ${name} is asleep, loads on demand`), ...off };
    case "unloaded":
      return { ...idle(`model ${name} not loaded, loads on demand`), ...off };
    default:
      return failing(
        "protocol",
        `${TITLE} router lists model ${name} as ${JSON.stringify(entry.value)}`,
      );
  }
}

/** The `llamacpp` preset. */
export const llamacpp: Preset = {
  title: TITLE,
  keyHeaders: bearer,
  async look(context) {
    const { requests, signal } = context;
    const health = await requests.get("/health", signal);
    if (health.kind !== "answer") return noAnswer(health, context.started);
    if (health.status === 503) return loadingFrom(health);
    if (health.status !== 200) return unexpected(health, TITLE);
    const models = await requests.get("/v1/models", signal);
    if (models.kind !== "answer") return noAnswer(models, context.started);
    if (models.status === 503) return loadingFrom(models);
    if (models.status === 401 || models.status === 403) return keyRefused(models, context.hasKey);
    const ids = models.status === 200 ? openaiIds(models.json) : undefined;
    if (ids === undefined) return unexpected(models, TITLE);
    const router = routerEntries(models.json);
    if (router !== undefined) return routerLook(router, context);
    const first = (models.json as { data: { meta?: unknown }[] }).data[0];
    if (first !== undefined && first.meta === null) {
      return loading(`${TITLE} lists ${JSON.stringify(ids[0])} without its meta (still loading)`);
    }
    const found = servingOneOf(ids, context.model, models.route);
    if (found.phase !== "serving") return found;
    const props = await requests.get("/props", signal);
    if (props.kind !== "answer") return noAnswer(props, context.started);
    if (props.status === 401 || props.status === 403) return keyRefused(props, context.hasKey);
    if (props.status === 200 && (props.json as { is_sleeping?: unknown })?.is_sleeping === true) {
      return idle(`model ${JSON.stringify(ids[0])} is asleep, loads on demand`);
    }
    // Builds without /props (404) or sleep say nothing more: the listing stands.
    return found;
  },
};
