/**
 * The `llm` kind's inspection: one look at an LLM inference server through
 * its server's preset (`presets/`), turned into a verdict per probe group
 * (`verdicts.ts`). The headers are vitals' `User-Agent`, the configured
 * `headers` and the preset's key headers; TLS comes from `withTls` around it
 * (`../create_check.ts`).
 *
 * The check remembers one fact between runs ({@link LlmMemory}): whether it has seen the
 * server serving or idle, so a refused connection before that is a server
 * still loading (liveness UP) and after it a server gone (liveness DOWN).
 *
 * After a serving look the deep probe (`deep_probe.ts`: one real generation,
 * on its own schedule) may turn it failing or WARN; its memory is part of
 * {@link LlmMemory}. Extension point, not here yet: the stall watchdog.
 *
 * @module
 */

import type { Clock } from "../../clock.ts";
import type { CheckConfigOf } from "../../config/resolve.ts";
import type { Platform } from "../../platform/platform.ts";
import { VERSION } from "../../version.ts";
import type { Inspect } from "../check.ts";
import { modelMatcher } from "./model_match.ts";
import { PRESETS } from "./presets/presets.ts";
import { requester } from "./request.ts";
import { outcomeOf } from "./verdicts.ts";
import { deepLook, type DeepMemory, deepSettings } from "./deep_probe.ts";

/** What the `llm` inspection reads of its check's config. */
export type LlmConfig =
  & Pick<
    CheckConfigOf<"llm">,
    "server" | "url" | "model" | "apiKey" | "headers" | "groups" | "timeout"
  >
  & {
    /** The deep probe's settings; left out (a check built in code): no deep probe. */
    readonly generate?: CheckConfigOf<"llm">["generate"] | undefined;
  };

/**
 * The request headers of an `llm` check: vitals' own, the configured
 * `headers`, then the preset's key headers (the key wins over a header of the same name).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { llmHeaders } from "./llm.ts";
 * const headers = llmHeaders({ server: "vllm", apiKey: "k3y" });
 * assert(headers["authorization"] === "Bearer k3y");
 * ```
 */
export function llmHeaders(
  config: Pick<LlmConfig, "server" | "apiKey" | "headers">,
): Record<string, string> {
  const headers: Record<string, string> = {
    "user-agent": `vitals/${VERSION}`,
    accept: "application/json",
  };
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  if (config.apiKey) Object.assign(headers, PRESETS[config.server].keyHeaders(config.apiKey));
  return headers;
}

/**
 * What an `llm` check remembers between runs. Kept apart from the inspection,
 * which `withTls` builds anew on each run of a check with TLS settings.
 */
export interface LlmMemory {
  /** Whether a look has found the server serving or idle. */
  started: boolean;
  /** The deep probe's last run and result; unset until it first runs. */
  deep?: DeepMemory;
}

/**
 * Creates the inspection of an `llm` check.
 *
 * @example
 * ```ts ignore
 * const inspect = llmInspect({ ...config, server: "vllm", url: "http://127.0.0.1:8000" }, platform, clock);
 * await inspect(signal); // { status: "UP", message: 'serving model "m"', byGroup: { ... } }
 * ```
 */
export function llmInspect(
  config: LlmConfig,
  platform: Pick<Platform, "fetch">,
  clock: Clock,
  memory: LlmMemory = { started: false },
): Inspect {
  const preset = PRESETS[config.server];
  const requests = requester(platform.fetch, config.url, llmHeaders(config), clock);
  const model = modelMatcher(config.model, config.server === "ollama");
  const hasKey = config.apiKey !== undefined && config.apiKey !== "";
  // Checks built in code without the schema's defaults have no generate: off.
  const settings = config.generate === undefined
    ? undefined
    : deepSettings({ server: config.server, generate: config.generate });
  return async (signal) => {
    const started = memory.started;
    const cheap = await preset.look({
      requests,
      signal,
      model,
      hasKey,
      started,
      timeoutMs: config.timeout,
    });
    const look = settings === undefined ? cheap : await deepLook(cheap, {
      server: config.server,
      settings,
      requests,
      signal,
      clock,
      started,
      hasKey,
    }, memory.deep ??= {});
    const outcome = outcomeOf(look, started, config.groups);
    if (look.phase === "serving" || look.phase === "idle") memory.started = true;
    return outcome;
  };
}
