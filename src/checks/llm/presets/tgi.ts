/**
 * The Text Generation Inference preset's cheap look: `GET /health` (200
 * alive; 503 `unhealthy` after a generation failed and its own prefill check
 * failed too: the engine), then `GET /info`, whose `model_id` must match.
 * TGI refuses connections until its shards have loaded. `/health` waits
 * behind a long request: it gets half the check's timeout, and not answering
 * in that time gives no verdict (the listing decides). The `/v2/health/*`
 * routes of kserve builds always say live and are never asked. The key is
 * `Authorization: Bearer`, checked on the generation routes only.
 *
 * @module
 */

import { failing } from "../look.ts";
import {
  bearer,
  type LookContext,
  noAnswer,
  type Preset,
  servingOneOf,
  slowHealth,
  unexpected,
  wordsOf,
} from "./preset.ts";

const TITLE = "TGI";

/** The `tgi` preset. */
export const tgi: Preset = {
  title: TITLE,
  keyHeaders: bearer,
  async look(context: LookContext) {
    const health = await slowHealth(context, TITLE);
    if ("look" in health) return health.look;
    if ("unhealthy" in health) {
      const words = wordsOf(health.unhealthy.json) ?? "HTTP 503";
      return failing(
        "engine",
        `engine failing: TGI's ${health.unhealthy.route} says ${JSON.stringify(words)} (HTTP 503)`,
      );
    }
    const { requests, signal } = context;
    const info = await requests.get("/info", signal);
    if (info.kind !== "answer") return noAnswer(info, context.started);
    const id = info.status === 200
      ? (info.json as { model_id?: unknown } | undefined)?.model_id
      : undefined;
    if (typeof id !== "string") return unexpected(info, TITLE);
    return servingOneOf([id], context.model, info.route, health.more);
  },
};
