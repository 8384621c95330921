/**
 * The generic OpenAI-compatible preset: `GET /v1/models` (Bearer) is all the
 * OpenAI API promises to look at, so it is liveness and readiness at once:
 * 200 must list the model, 503 is loading (as a refused connection before the
 * first answer), 401/403 the key. The listing is usually static, so only a
 * generation (the deep probe, `../deep_probe.ts`) shows the server generates.
 *
 * @module
 */

import { bearer, type Preset } from "./preset.ts";
import { listedModels } from "./vllm.ts";

/** The `openai` preset. */
export const openai: Preset = {
  title: "the OpenAI API",
  keyHeaders: bearer,
  look: (context) => listedModels(context, "the OpenAI API"),
};
