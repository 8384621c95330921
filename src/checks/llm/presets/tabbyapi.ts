/**
 * The TabbyAPI preset of `type: llm` (the `tabbyapi` kind, `../../tabbyapi.ts`,
 * stays as it is). `GET /health` (no key): 200 `healthy` alive; 503
 * `unhealthy` with its issues is sticky until the process restarts: failing,
 * unhealthy, which fails liveness on purpose. Then `GET /v1/model` with the
 * key is the listing (never `/v1/models`, which lists directories for an admin
 * key): 200 with the loaded `id`; 503 "No models are currently loaded." while
 * `/health` is 200 is a swap or an unloaded model, which cannot be told apart
 * from outside: loading, never a liveness failure. TabbyAPI refuses
 * connections during its first load. The key goes as `x-api-key` and
 * `Authorization: Bearer`.
 *
 * @module
 */

import { formatIssues } from "../../tabbyapi.ts";
import { failing, loading } from "../look.ts";
import {
  keyRefused,
  type LookContext,
  noAnswer,
  type Preset,
  servingOneOf,
  unexpected,
  wordsOf,
} from "./preset.ts";

const TITLE = "TabbyAPI";

/** The `tabbyapi` preset. */
export const tabbyapi: Preset = {
  title: TITLE,
  keyHeaders: (apiKey) => ({ "x-api-key": apiKey, authorization: `Bearer ${apiKey}` }),
  async look(context: LookContext) {
    const { requests, signal } = context;
    const health = await requests.get("/health", signal);
    if (health.kind !== "answer") return noAnswer(health, context.started);
    const body = health.json as { status?: unknown; issues?: unknown } | undefined;
    if (typeof body?.status !== "string" || (health.status !== 200 && health.status !== 503)) {
      return unexpected(health, TITLE);
    }
    if (health.status === 503) {
      const issues = Array.isArray(body.issues) ? body.issues : [];
      return failing(
        "unhealthy",
        `${body.status} (HTTP 503, until TabbyAPI restarts): ${formatIssues(issues)}`,
      );
    }
    const model = await requests.get("/v1/model", signal);
    if (model.kind !== "answer") return noAnswer(model, context.started);
    if (model.status === 503) {
      const words = wordsOf(model.json) ?? "HTTP 503";
      return loading(
        `no model loaded (a swap may be running): ${TITLE} says ${JSON.stringify(words)}`,
      );
    }
    if (model.status === 401 || model.status === 403) return keyRefused(model, context.hasKey);
    const id = model.status === 200 ? (model.json as { id?: unknown } | undefined)?.id : undefined;
    if (typeof id !== "string") return unexpected(model, TITLE);
    return servingOneOf([id], context.model, model.route);
  },
};
