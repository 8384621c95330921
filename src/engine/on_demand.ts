/**
 * The `on-demand` refresh mode: a scope's status is reused while every check
 * in it is fresh (its last run ended less than its interval, by default the
 * cache `ttl`, ago). A request that finds one of them due starts one
 * evaluation of that scope only (single flight: a burst of probes runs each
 * due check once) and waits for it at most `maxWait`; past that it gets the
 * last published results marked stale. A liveness probe therefore never
 * waits for a readiness-only check.
 *
 * @module
 */

import { roundMs } from "../clock.ts";
import type { HealthStatus, Scope } from "../types.ts";
import type { RefreshHost, RefreshPolicy } from "./refresh_policy.ts";

/** Whether `promise` settles within `ms`. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  if (!Number.isFinite(ms)) return promise.then(() => true);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Refreshes when a request needs it.
 *
 * @example
 * ```ts ignore
 * const policy = new OnDemandRefresh(host);
 * const status = policy.peek("ready") ?? await policy.status("ready");
 * ```
 */
export class OnDemandRefresh implements RefreshPolicy {
  readonly #host: RefreshHost;

  constructor(host: RefreshHost) {
    this.#host = host;
  }

  peek(scope: Scope): HealthStatus | undefined {
    const { clock, publisher } = this.#host;
    const published = publisher.published;
    if (!published || clock.now() >= published.freshUntil.get(scope)!) return undefined;
    return publisher.summary(scope, published);
  }

  async status(scope: Scope): Promise<HealthStatus> {
    const { clock, publisher } = this.#host;
    const finished = await within(this.#host.evaluate(scope), this.#host.settings().maxWait);
    const newest = publisher.published;
    if (!newest) return publisher.noResult(scope);
    const summary = publisher.summary(scope, newest);
    if (finished) return summary;
    return { ...summary, stale: true, ageMs: roundMs(clock.now() - newest.at) };
  }

  resume(): void {}

  stop(): void {}
}
