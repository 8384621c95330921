/**
 * The `llm` kind's deep probe: one real generation of one token, on its own
 * schedule (at most once per `generate.interval`) and with its own timeout
 * (`generate.timeout`), run only when the cheap look finds the server serving.
 * Between probes its last result stands, its age in the message. Traffic
 * counts as a passed probe: when the server's own progress counter moved
 * since the last probe (`progress.ts`, read from the run's one metrics page),
 * no generation is sent. No run reads the page twice: the probe's own token
 * moves the counter, so the reference after a probe is the next run's
 * reading; when the probe is due again before any run read one (a check that
 * runs as seldom as `generate.interval`), the reading from before the last
 * probe stands, and only a rise above {@link OWN_PROBE_MARGIN} is traffic. An idle
 * server (Ollama, llama.cpp: the model loads on demand) is never probed: the
 * probe would load the model.
 *
 * The first token's time is the time to the whole answer: the request is not
 * streamed and asks for one token, so nothing follows the first token.
 * Over `generate.downAfter` it is failing `engine`; over `generate.warnAfter`
 * readiness is WARN.
 *
 * @module
 */

import type { Clock } from "../../clock.ts";
import type { CheckConfigOf } from "../../config/resolve.ts";
import { formatDuration } from "../../config/duration.ts";
import { generationLook, generationRequest } from "./generation.ts";
import { failing, type Look } from "./look.ts";
import { type Progress, progressSince } from "./progress.ts";
import type { Requester } from "./request.ts";

/** How often the deep probe runs when `generate.interval` is unset, in ms. */
const DEFAULT_INTERVAL_MS = 5 * 60_000;
/** Ollama's: every probe restarts the model's 5-minute keep-alive, so less often. */
const OLLAMA_INTERVAL_MS = 10 * 60_000;
/**
 * The most one probe moves a progress counter, with room: one token (vLLM,
 * SGLang, Triton's backends), one request (`nv_inference_count`), one prefill
 * step (TGI), one `llama_decode()` call per 2048-token prompt batch
 * (llama.cpp). A rise this small right after a probe is not taken for traffic.
 */
export const OWN_PROBE_MARGIN = 8;

/** The deep probe's settings, defaults filled in. */
export interface DeepSettings {
  readonly interval: number;
  readonly timeout: number;
  readonly warnAfter?: number | undefined;
  readonly downAfter?: number | undefined;
  readonly prompt: string;
}

/**
 * The deep probe's settings of a check; `undefined` with `generate: false`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deepSettings } from "./deep_probe.ts";
 * const settings = deepSettings({ server: "ollama", generate: { timeout: 30_000, prompt: "hi" } });
 * assert(settings?.interval === 600_000);
 * ```
 */
export function deepSettings(
  config: Pick<CheckConfigOf<"llm">, "server" | "generate">,
): DeepSettings | undefined {
  const generate = config.generate;
  if (generate === false) return undefined;
  return {
    interval: generate.interval ??
      (config.server === "ollama" ? OLLAMA_INTERVAL_MS : DEFAULT_INTERVAL_MS),
    timeout: generate.timeout,
    warnAfter: generate.warnAfter,
    downAfter: generate.downAfter,
    prompt: generate.prompt,
  };
}

/** What the deep probe remembers between runs (kept in the check's `LlmMemory`). */
export interface DeepMemory {
  /** When the last probe ran or was skipped for traffic (clock ms); unset: due now. */
  at?: number;
  /** Its result: a failing (or loading) look, or what a serving look adds to its message. */
  result?: { readonly look: Look } | { readonly note: string; readonly warn: boolean };
  /** The progress counter after the last probe or skip; with `pending`, the one before the probe. */
  reference?: Progress | undefined;
  /** A probe ran: the next run's reading becomes the reference (it includes the probe's token). */
  pending?: boolean;
  /** The last first-token time measured, in ms. */
  ttftMs?: number;
}

/** What a deep probe run is given. */
export interface DeepContext {
  readonly server: CheckConfigOf<"llm">["server"];
  readonly settings: DeepSettings;
  readonly requests: Requester;
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly started: boolean;
  readonly hasKey: boolean;
  /** The progress counter on this run's metrics page (scraped at the first call, at most once). */
  readonly progress: () => Promise<Progress | undefined>;
}

/** `, 12s ago` for a result older than a second. */
function age(clock: Clock, at: number): string {
  const ms = clock.now() - at;
  return ms < 1000 ? "" : ` (deep probe ${formatDuration(Math.round(ms / 1000) * 1000)} ago)`;
}

/** Runs one generation and reads it; the next run's counter reading becomes the reference. */
async function generate(
  model: string,
  context: DeepContext,
  memory: DeepMemory,
): Promise<NonNullable<DeepMemory["result"]>> {
  const { settings, clock } = context;
  const { path, body } = generationRequest(context.server, model, settings.prompt);
  const sent = clock.now();
  const reply = await context.requests.post(path, body, context.signal, settings.timeout);
  const ttft = Math.round(clock.now() - sent);
  // Its own token moves the counter: the next run's reading is the reference.
  memory.pending = true;
  const look = generationLook(context.server, model, reply, context.started, context.hasKey);
  if (look.phase !== "serving") return { look };
  memory.ttftMs = ttft;
  if (settings.downAfter !== undefined && ttft > settings.downAfter) {
    return {
      look: failing(
        "engine",
        `first token in ${ttft} ms, over generate.downAfter (${
          formatDuration(settings.downAfter)
        })`,
      ),
    };
  }
  const warn = settings.warnAfter !== undefined && ttft > settings.warnAfter;
  const over = warn ? `, over generate.warnAfter (${formatDuration(settings.warnAfter!)})` : "";
  return { note: `first token in ${ttft} ms${over}`, warn };
}

/**
 * The look after the deep probe: the cheap look when it is not serving; else
 * the probe's result, run now when due (or skipped for traffic), or the last
 * one with its age. A failing result does not outlive a look that is not
 * serving: the next serving look probes again.
 */
export async function deepLook(
  cheap: Look,
  context: DeepContext,
  memory: DeepMemory,
): Promise<Look> {
  if (cheap.phase !== "serving") {
    if (memory.result !== undefined && "look" in memory.result) {
      delete memory.result;
      delete memory.at;
    }
    return cheap;
  }
  const { clock, settings } = context;
  const due = memory.at === undefined || clock.now() - memory.at >= settings.interval;
  if (memory.pending || due) {
    const now = await context.progress();
    const rise = due ? progressSince(memory.reference, now) : undefined;
    const moved = rise !== undefined && rise > (memory.pending ? OWN_PROBE_MARGIN : 0);
    memory.reference = now;
    delete memory.pending;
    if (moved) {
      const last = memory.ttftMs === undefined ? "" : `, last first token in ${memory.ttftMs} ms`;
      memory.result = {
        note: `generating: ${
          JSON.stringify(now!.name)
        } rose by ${rise} since the last deep probe${last}`,
        warn: false,
      };
      memory.at = clock.now();
    } else if (due) {
      memory.result = await generate(cheap.model ?? "", context, memory);
      memory.at = clock.now();
    }
  }
  const result = memory.result!;
  const since = age(clock, memory.at!);
  if ("look" in result) return { ...result.look, message: result.look.message + since };
  return {
    ...cheap,
    message: `${cheap.message}, ${result.note}${since}`,
    ...(result.warn ? { warn: true } : {}),
  };
}
