/**
 * The `llm` kind's inspection: one look at an LLM inference server through
 * its server's preset (`presets/`), turned into a verdict per probe group
 * (`verdicts.ts`). The headers are vitals' `User-Agent`, the configured
 * `headers` and the preset's key headers; TLS comes from `withTls` around it
 * (`../create_check.ts`).
 *
 * Each outcome carries the run's figures for `/metrics` (`llm`: phase, model,
 * first-token time, stall clock).
 *
 * The check remembers one fact between runs ({@link LlmMemory}): whether it has seen the
 * server serving or idle, so a refused connection before that is a server
 * still loading (liveness UP) and after it a server gone (liveness DOWN).
 *
 * After a serving look the deep probe (`deep_probe.ts`: one real generation,
 * on its own schedule) may turn it failing or WARN; its memory is part of
 * {@link LlmMemory}. Before it, on a serving or idle look, the stall watchdog
 * (`stall_watch.ts`) reads the run's metrics page (`metrics_page.ts`, scraped
 * at most once per run): requests waiting with no token for
 * `stall.stallAfter` make the look failing `stall`; the same page's progress
 * counter serves the deep probe's traffic skip (`progress.ts`).
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
import { failing, type Look } from "./look.ts";
import { metricsSource, pageOfRun } from "./metrics_page.ts";
import { progressOf } from "./progress.ts";
import type { StallWatchdog } from "./stall.ts";
import { newWatchdog, type StallConfig, stallSettings, watchStall } from "./stall_watch.ts";

/** What the `llm` inspection reads of its check's config. */
export type LlmConfig =
  & Pick<
    CheckConfigOf<"llm">,
    "server" | "url" | "model" | "apiKey" | "headers" | "groups" | "timeout"
  >
  & {
    /** The deep probe's settings; left out (a check built in code): no deep probe. */
    readonly generate?: CheckConfigOf<"llm">["generate"] | undefined;
  }
  & Pick<StallConfig, "stall" | "metricsUrl">;

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
  /** The model the server was last seen serving (for `/metrics`). */
  model?: string;
  /** The stall watchdog and its state; unset until it first runs. */
  stall?: StallWatchdog;
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
  const headers = llmHeaders(config);
  const requests = requester(platform.fetch, config.url, headers, clock);
  const model = modelMatcher(config.model, config.server === "ollama");
  const hasKey = config.apiKey !== undefined && config.apiKey !== "";
  // Checks built in code without the schema's defaults have no generate: off.
  const settings = config.generate === undefined
    ? undefined
    : deepSettings({ server: config.server, generate: config.generate });
  const source = metricsSource(config);
  const stall = stallSettings(config);
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
    const page = pageOfRun(requests, source, cheap, signal);
    let stalled: Look | undefined;
    let stallMs: number | undefined;
    if (stall !== undefined && (cheap.phase === "serving" || cheap.phase === "idle")) {
      const scraped = await page();
      if (scraped !== undefined) {
        const step = watchStall(
          scraped,
          stall,
          model,
          memory.stall ??= newWatchdog(stall),
          clock.now(),
        );
        stallMs = step.clockMs;
        if (step.failing) stalled = failing("stall", step.failing.message);
      }
    }
    const look = stalled ?? (settings === undefined ? cheap : await deepLook(cheap, {
      server: config.server,
      settings,
      requests,
      signal,
      clock,
      started,
      hasKey,
      progress: async () =>
        source === undefined ? undefined : progressOf(await page(), source.metrics, model),
    }, memory.deep ??= {}));
    const outcome = outcomeOf(look, started, config.groups);
    if (look.phase === "serving" || look.phase === "idle") memory.started = true;
    if (cheap.phase === "serving" && cheap.model !== undefined) memory.model = cheap.model;
    const ttftMs = memory.deep?.ttftMs;
    return {
      ...outcome,
      llm: {
        server: config.server,
        phase: look.phase,
        ...(memory.model === undefined ? {} : { model: memory.model }),
        ...(ttftMs === undefined ? {} : { firstTokenSeconds: ttftMs / 1000 }),
        ...(stall === undefined ? {} : { stallSeconds: (stallMs ?? 0) / 1000 }),
      },
    };
  };
}
