/**
 * The metrics page of an `llm` check: where it is (`metricsUrl`, else the
 * API's `/metrics`, Triton's on port 8002 of the same host), and one scrape of
 * it per run at most, through the check's requester (`request.ts`) with its
 * own timeout (`stall.scrapeTimeout`, 2 s: a hung `/metrics` must not eat the
 * run). The stall watchdog (`stall_watch.ts`) and the deep probe's traffic
 * skip (`progress.ts`) share the one page.
 *
 * A look may say more about the scrape ({@link Look}'s `scrape`): llama.cpp's
 * router mode serves metrics per model, so the default URL gets
 * `?model=<id>` while the model is loaded, and no scrape is sent while it is
 * not (a request naming an unloaded model loads it).
 *
 * @module
 */

import type { CheckConfigOf } from "../../config/resolve.ts";
import type { Look } from "./look.ts";
import { METRICS_LIMIT, type MetricSample, pageSamples } from "./metrics_text.ts";
import type { Requester } from "./request.ts";
import { type StallMetrics, stallMetricsFor } from "./stall_metrics.ts";

/** `stall.scrapeTimeout` when unset (or with `stall: false`), in ms. */
const DEFAULT_SCRAPE_TIMEOUT_MS = 2000;

/** Where a server's metrics page is and what it holds. */
export interface MetricsSource {
  readonly metricsUrl: string;
  /** Whether `metricsUrl` was configured (then used as it is, never with a look's query). */
  readonly explicitUrl: boolean;
  readonly scrapeTimeout: number;
  readonly metrics: StallMetrics;
}

/** What the metrics part of the config holds (a check built in code may leave it out). */
export type MetricsConfig =
  & Pick<CheckConfigOf<"llm">, "server" | "url">
  & {
    readonly stall?: CheckConfigOf<"llm">["stall"] | undefined;
    readonly metricsUrl?: string | undefined;
  };

/**
 * The metrics page of a check; `undefined` for a server without metrics.
 * `stall: false` turns the watchdog off, not the page: the deep probe still
 * reads its traffic counter there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricsSource } from "./metrics_page.ts";
 * const source = metricsSource({ server: "triton", url: "http://10.0.0.5:8000", stall: false });
 * assert.equal(source?.metricsUrl, "http://10.0.0.5:8002/metrics");
 * assert.equal(metricsSource({ server: "tabbyapi", url: "http://a" }), undefined);
 * ```
 */
export function metricsSource(config: MetricsConfig): MetricsSource | undefined {
  const metrics = stallMetricsFor(config.server);
  if (metrics === undefined) return undefined;
  let metricsUrl = config.metricsUrl;
  const explicitUrl = metricsUrl !== undefined;
  if (metricsUrl === undefined) {
    const url = new URL(config.url);
    if ("port" in metrics.where) {
      url.port = String(metrics.where.port);
      metricsUrl = `${url.origin}/metrics`;
    } else {
      metricsUrl = `${config.url.replace(/\/+$/, "")}/metrics`;
    }
  }
  const stall = config.stall === false ? undefined : config.stall;
  return {
    metricsUrl,
    explicitUrl,
    scrapeTimeout: stall?.scrapeTimeout ?? DEFAULT_SCRAPE_TIMEOUT_MS,
    metrics,
  };
}

/** One scrape: the page's samples, or why it could not be read. */
export type MetricsPage =
  | { readonly samples: readonly MetricSample[] }
  | { readonly reason: string };

/** The page of one run: scraped at the first call, the same answer after; `undefined`: not scraped. */
export type PageOfRun = () => Promise<MetricsPage | undefined>;

/**
 * The metrics page of one run of the check, read at most once, as `look`
 * allows; `source` unset (no metrics): never scraped.
 */
export function pageOfRun(
  requests: Requester,
  source: MetricsSource | undefined,
  look: Look,
  signal: AbortSignal,
): PageOfRun {
  let page: Promise<MetricsPage | undefined> | undefined;
  const scrape = look.scrape;
  if (source === undefined || scrape === false) return () => Promise.resolve(undefined);
  const url = source.explicitUrl || scrape === undefined
    ? source.metricsUrl
    : source.metricsUrl + scrape.query;
  return () => page ??= scrapeOnce(requests, url, source.scrapeTimeout, signal);
}

async function scrapeOnce(
  requests: Requester,
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<MetricsPage> {
  const reply = await requests.page(url, signal, timeoutMs, METRICS_LIMIT);
  if (reply.kind !== "answer") return { reason: reply.reason };
  if (reply.status !== 200) return { reason: `HTTP ${reply.status} from ${reply.route}` };
  return { samples: pageSamples(reply.text, reply.truncated === true) };
}
