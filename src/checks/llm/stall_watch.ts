/**
 * The stall watchdog wired into an `llm` check's run: its settings from the
 * config (on by default where the server has metrics; `stallAfter` 2m, SGLang
 * 10m; the page and its `scrapeTimeout` from `metrics_page.ts`), and the
 * watchdog's step (`stall.ts`) on this run's metrics page, which the deep
 * probe's traffic skip reads too (one scrape per run).
 *
 * @module
 */

import {
  type MetricsConfig,
  type MetricsPage,
  type MetricsSource,
  metricsSource,
} from "./metrics_page.ts";
import type { ModelMatcher } from "./model_match.ts";
import { type StallScrape, type StallStep, StallWatchdog } from "./stall.ts";
import { readingFrom } from "./stall_metrics.ts";

/** `stallAfter` when unset, in ms. */
const DEFAULT_STALL_AFTER_MS = 2 * 60_000;
/** SGLang's: its counter moves only when a request ends. */
const SGLANG_STALL_AFTER_MS = 10 * 60_000;

/** The watchdog's settings, defaults filled in: its page and its time. */
export interface StallSettings extends MetricsSource {
  readonly stallAfter: number;
}

/** What the watchdog part of the config holds (a check built in code may leave it out). */
export type StallConfig = MetricsConfig;

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
  const source = metricsSource(config);
  if (source === undefined || config.stall === false) return undefined;
  return {
    ...source,
    stallAfter: config.stall?.stallAfter ??
      (config.server === "sglang" ? SGLANG_STALL_AFTER_MS : DEFAULT_STALL_AFTER_MS),
  };
}

/**
 * Feeds this run's page to the check's watchdog at clock reading `now`: its
 * samples (W, R and P of the configured model's series), or the reason the
 * scrape failed.
 */
export function watchStall(
  page: MetricsPage,
  settings: StallSettings,
  model: ModelMatcher | undefined,
  watchdog: StallWatchdog,
  now: number,
): StallStep {
  let scrape: StallScrape;
  if ("reason" in page) {
    scrape = { ok: false, reason: page.reason };
  } else {
    const test = model === undefined ? undefined : (name: string) => model.matches(name);
    scrape = readingFrom(page.samples, settings.metrics, test);
  }
  return watchdog.observe(scrape, now);
}

/** A new watchdog for `settings`. */
export const newWatchdog = (settings: StallSettings): StallWatchdog =>
  new StallWatchdog({
    stallAfter: settings.stallAfter,
    ...(settings.metrics.note === undefined ? {} : { note: settings.metrics.note }),
  });
