/**
 * The SGLang preset's cheap look: `GET /get_model_info` (key) is liveness and
 * names the model (`model_path`). SGLang refuses connections while it loads,
 * then answers `/health` 503 at once until its warmup ends; a healthy
 * `/health` runs a generation and takes at least a second. So `/health` is
 * asked only until this check first saw the server serving: 503 is loading,
 * 200 is serving, and no answer within most of the check's timeout is past
 * warmup (a check timeout under about 2 s cannot wait for a healthy answer). After that the deep probe (`../deep_probe.ts`) proves
 * generation; a dead scheduler ends the process, which shows as refused.
 *
 * @module
 */

import { loading } from "../look.ts";
import {
  bearer,
  keyRefused,
  type LookContext,
  noAnswer,
  type Preset,
  servingOneOf,
  unexpected,
} from "./preset.ts";

const TITLE = "SGLang";

/** The `sglang` preset. */
export const sglang: Preset = {
  title: TITLE,
  keyHeaders: bearer,
  async look(context: LookContext) {
    const { requests, signal } = context;
    const info = await requests.get("/get_model_info", signal);
    if (info.kind !== "answer") return noAnswer(info, context.started);
    if (info.status === 401 || info.status === 403) return keyRefused(info, context.hasKey);
    const path = info.status === 200
      ? (info.json as { model_path?: unknown } | undefined)?.model_path
      : undefined;
    if (typeof path !== "string") return unexpected(info, TITLE);
    const found = servingOneOf([path], context.model, info.route);
    if (found.phase !== "serving" || context.started) return found;
    // Before the first serving look: is the warmup over? A healthy answer takes >= 1 s.
    const health = await requests.get("/health", signal, Math.floor(context.timeoutMs * 0.8));
    // Warmup answers 503 at once: a /health still generating is past it.
    if (health.kind === "timeout") {
      return servingOneOf([path], undefined, info.route, `; ${health.reason}, past warmup`);
    }
    if (health.kind !== "answer") return noAnswer(health, context.started);
    if (health.status === 503) {
      return loading(`${TITLE}'s ${health.route} answered HTTP 503 (warming up)`);
    }
    if (health.status !== 200) return unexpected(health, TITLE);
    return found;
  },
};
