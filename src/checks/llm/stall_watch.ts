/**
 * The stall watchdog wired into an `llm` check's run: its settings from the
 * config (on by default where the server has metrics; `stallAfter` 2m, SGLang
 * 10m; `scrapeTimeout` 2s; `metricsUrl` the API's `/metrics`, Triton's on port
 * 8002 of the same host), one scrape of the metrics page per run with its own
 * timeout (on the injected clock), and the watchdog's step
 * (`stall.ts`) on that scrape. The page's progress counter is handed on, so
 * the deep probe's traffic skip needs no second scrape in the same run.
 *
 * @module
 */

import type { Clock } from "../../clock.ts";
import type { CheckConfigOf } from "../../config/resolve.ts";
import type { Platform } from "../../platform/platform.ts";
import { type MetricSample, readMetrics, sumFamily } from "./metrics_text.ts";
import type { ModelMatcher } from "./model_match.ts";
import { type StallScrape, type StallStep, StallWatchdog } from "./stall.ts";
import { readingFrom, type StallMetrics, stallMetricsFor } from "./stall_metrics.ts";

/** `stallAfter` when unset, in ms. */
const DEFAULT_STALL_AFTER_MS = 2 * 60_000;
/** SGLang's: its counter moves only when a request ends. */
const SGLANG_STALL_AFTER_MS = 10 * 60_000;
/** `scrapeTimeout` when unset, in ms. */
const DEFAULT_SCRAPE_TIMEOUT_MS = 2000;

/** The watchdog's settings, defaults filled in. */
export interface StallSettings {
  readonly stallAfter: number;
  readonly scrapeTimeout: number;
  readonly metricsUrl: string;
  readonly metrics: StallMetrics;
}

/** What the watchdog part of the config holds (a check built in code may leave it out). */
export type StallConfig =
  & Pick<CheckConfigOf<"llm">, "server" | "url">
  & {
    readonly stall?: CheckConfigOf<"llm">["stall"] | undefined;
    readonly metricsUrl?: string | undefined;
  };

/**
 * The watchdog's settings; `undefined` with `stall: false` or for a server
 * without metrics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stallSettings } from "./stall_watch.ts";
 * const settings = stallSettings({ server: "triton", url: "http://10.0.0.5:8000" });
 * assert.equal(settings?.metricsUrl, "http://10.0.0.5:8002/metrics");
 * assert.equal(settings?.stallAfter, 120_000);
 * ```
 */
export function stallSettings(config: StallConfig): StallSettings | undefined {
  const metrics = stallMetricsFor(config.server);
  if (metrics === undefined || config.stall === false) return undefined;
  const stall: { stallAfter?: number | undefined; scrapeTimeout?: number | undefined } =
    config.stall ?? {};
  let metricsUrl = config.metricsUrl;
  if (metricsUrl === undefined) {
    const url = new URL(config.url);
    if ("port" in metrics.where) {
      url.port = String(metrics.where.port);
      metricsUrl = `${url.origin}/metrics`;
    } else {
      metricsUrl = `${config.url.replace(/\/+$/, "")}/metrics`;
    }
  }
  return {
    stallAfter: stall.stallAfter ??
      (config.server === "sglang" ? SGLANG_STALL_AFTER_MS : DEFAULT_STALL_AFTER_MS),
    scrapeTimeout: stall.scrapeTimeout ?? DEFAULT_SCRAPE_TIMEOUT_MS,
    metricsUrl,
    metrics,
  };
}

/** One scrape of the metrics page: its samples, or why it could not be read. */
async function scrapePage(
  send: Platform["fetch"],
  settings: StallSettings,
  headers: Readonly<Record<string, string>>,
  clock: Clock,
  signal: AbortSignal,
): Promise<{ samples: MetricSample[] } | { reason: string }> {
  if (signal.aborted) throw signal.reason;
  const own = new AbortController();
  const onAbort = () => own.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  let late = false;
  const cancelTimer = clock.setTimer(settings.scrapeTimeout, () => {
    late = true;
    own.abort(new DOMException("scrape timed out", "TimeoutError"));
  });
  try {
    const response = await send(settings.metricsUrl, {
      headers: { ...headers, accept: "text/plain" },
      redirect: "manual",
      signal: own.signal,
    });
    if (response.status !== 200) {
      response.body?.cancel().catch(() => {});
      return { reason: `HTTP ${response.status} from GET /metrics` };
    }
    return { samples: (await readMetrics(response)).samples };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (late) return { reason: `GET /metrics did not answer in ${settings.scrapeTimeout} ms` };
    return { reason: `GET /metrics failed: ${(error as Error).message ?? String(error)}` };
  } finally {
    cancelTimer();
    signal.removeEventListener("abort", onAbort);
  }
}

/** What one run of the watchdog found. */
export interface StallRun {
  readonly step: StallStep;
  /** The progress counter on this run's page; unset when the scrape failed or lacks it. */
  readonly progress: number | undefined;
}

/** What the watchdog's run is given. */
export interface StallContext {
  readonly send: Platform["fetch"];
  readonly settings: StallSettings;
  readonly headers: Readonly<Record<string, string>>;
  readonly clock: Clock;
  /** The configured model; unset: every series counts. */
  readonly model: ModelMatcher | undefined;
  readonly signal: AbortSignal;
}

/** Scrapes once with `scrapeTimeout` and feeds the page to the check's watchdog. */
export async function watchStall(
  context: StallContext,
  watchdog: StallWatchdog,
): Promise<StallRun> {
  const { settings, clock } = context;
  const page = await scrapePage(
    context.send,
    settings,
    context.headers,
    clock,
    context.signal,
  );
  let scrape: StallScrape;
  let progress: number | undefined;
  if ("reason" in page) {
    scrape = { ok: false, reason: page.reason };
  } else {
    const model = context.model;
    const test = model === undefined ? undefined : (name: string) => model.matches(name);
    scrape = readingFrom(page.samples, settings.metrics, test);
    progress = scrape.ok ? scrape.progress : sumFamily(page.samples, settings.metrics.progress[0]!);
  }
  return { step: watchdog.observe(scrape, clock.now()), progress };
}

/** A new watchdog for `settings`. */
export const newWatchdog = (settings: StallSettings): StallWatchdog =>
  new StallWatchdog({
    stallAfter: settings.stallAfter,
    ...(settings.metrics.note === undefined ? {} : { note: settings.metrics.note }),
  });
