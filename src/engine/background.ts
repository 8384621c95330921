/**
 * The `background` refresh mode: once started, every check re-runs on its own
 * timer (`interval`, default `ttl`) and publishes; a request only reads the
 * newest results and never waits for a check.
 *
 * @module
 */

import { reportCallbackError } from "../callback_error.ts";
import type { HealthStatus, Scope } from "../types.ts";
import type { RegisteredCheck } from "./check_registry.ts";
import type { RefreshHost, RefreshPolicy } from "./refresh_policy.ts";
import { Scheduler } from "./scheduler.ts";

/**
 * Refreshes on timers.
 *
 * @example
 * ```ts ignore
 * const policy = new BackgroundRefresh(host);
 * policy.resume(); // after the first evaluation: one timer loop per check
 * policy.peek("live"); // the newest results, never waiting
 * ```
 */
export class BackgroundRefresh implements RefreshPolicy {
  readonly #host: RefreshHost;
  readonly #scheduler: Scheduler<RegisteredCheck>;

  constructor(host: RefreshHost) {
    this.#host = host;
    this.#scheduler = new Scheduler((entry) => host.refresh(entry), () => host.clock.now());
  }

  peek(scope: Scope): HealthStatus | undefined {
    const published = this.#host.publisher.published;
    return published && this.#host.started()
      ? this.#host.publisher.summary(scope, published)
      : undefined;
  }

  status(scope: Scope): Promise<HealthStatus> {
    const { publisher } = this.#host;
    if (!this.#host.started()) {
      // Not awaited, so never left to reject unhandled: that would end the process.
      this.#host.start().catch((error) =>
        reportCallbackError("The first evaluation failed", error)
      );
    }
    const published = publisher.published;
    return Promise.resolve(
      published ? publisher.summary(scope, published) : publisher.noResult(scope),
    );
  }

  resume(): void {
    const ttl = this.#host.settings().ttl;
    this.#scheduler.replace(this.#host.registry.entries, (entry) => entry.check.interval ?? ttl);
  }

  stop(): void {
    this.#scheduler.stop();
  }
}
