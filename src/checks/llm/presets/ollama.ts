/**
 * The Ollama preset's cheap look. `GET /` ("Ollama is running") is liveness;
 * `GET /api/tags` must list the model (installed); `GET /api/ps` tells serving
 * (the model has a runner) from idle (it loads on the next request: an empty
 * `/api/ps` is an idle server, not a broken one). `/api/ps` waits while a load
 * runs, so it gets a short timeout of its own, and not answering in it while
 * `/` answers is loading. Names compare with `:latest` added. Ollama takes no
 * key: only the configured `headers` are sent.
 *
 * @module
 */

import { failing, idle, loading, serving } from "../look.ts";
import { listed, withLatest } from "../model_match.ts";
import { type LookContext, noAnswer, type Preset, unexpected } from "./preset.ts";

const TITLE = "Ollama";

/** The longest `/api/ps` may take before it counts as held by a load, in ms. */
const PS_TIMEOUT_MS = 2000;

/** The `name`s of `{"models":[{"name"}]}`, `undefined` when the body is not that. */
function names(json: unknown): string[] | undefined {
  const models = (json as { models?: unknown } | undefined)?.models;
  if (!Array.isArray(models)) return undefined;
  return models.flatMap((model) => typeof model?.name === "string" ? [model.name] : []);
}

/** The `ollama` preset. */
export const ollama: Preset = {
  title: TITLE,
  keyHeaders: () => ({}),
  async look(context: LookContext) {
    const { requests, signal } = context;
    // The schema requires model for ollama.
    const model = context.model!;
    const root = await requests.get("/", signal);
    if (root.kind !== "answer") return noAnswer(root, context.started);
    if (root.status !== 200) return unexpected(root, TITLE);
    const tags = await requests.get("/api/tags", signal);
    if (tags.kind !== "answer") return noAnswer(tags, context.started);
    const installed = tags.status === 200 ? names(tags.json) : undefined;
    if (installed === undefined) return unexpected(tags, TITLE);
    const name = installed.find((candidate) => model.matches(candidate));
    if (name === undefined) {
      return failing("model", `${model.words} is not installed: installed ${listed(installed)}`);
    }
    const wait = Math.min(PS_TIMEOUT_MS, Math.floor(context.timeoutMs / 2));
    const ps = await requests.get("/api/ps", signal, wait);
    if (ps.kind === "timeout") return loading(`${ps.reason} (a model load holds it)`);
    if (ps.kind !== "answer") return noAnswer(ps, context.started);
    const loaded = ps.status === 200 ? names(ps.json) : undefined;
    if (loaded === undefined) return unexpected(ps, TITLE);
    if (loaded.some((candidate) => withLatest(candidate) === withLatest(name))) {
      return serving(name);
    }
    const others = loaded.length === 0 ? "" : ` (loaded: ${listed(loaded)})`;
    return idle(`model ${JSON.stringify(name)} not loaded, loads on demand${others}`);
  },
};
