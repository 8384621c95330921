/**
 * How results are kept fresh: the interface that the two refresh modes
 * implement, and what they may use of the engine. `on-demand` runs due checks
 * when a request finds the cache expired; `background` re-runs each check on
 * its own timer and never makes a request wait.
 *
 * @module
 */

import type { Clock } from "../clock.ts";
import type { HealthStatus, Scope } from "../types.ts";
import type { CheckRegistry, RegisteredCheck } from "./check_registry.ts";
import type { Publisher } from "./publisher.ts";

/** How results are refreshed. */
export type RefreshMode = "on-demand" | "background";

/** Settings that a reload may change. */
export interface HealthSettings {
  /** How long results are reused (on-demand) or the default re-run interval (background), in ms. */
  readonly ttl: number;
  /** How many checks run at once. */
  readonly poolSize: number;
  readonly mode?: RefreshMode;
  /** How long a request waits for a running evaluation, in ms (default: no limit). */
  readonly maxWait?: number;
}

/** What a policy may use of the engine. */
export interface RefreshHost {
  readonly clock: Clock;
  readonly registry: CheckRegistry;
  readonly publisher: Publisher;
  /** The settings in force. */
  settings(): Required<HealthSettings>;
  /** Whether refreshing has started (`Health.start`). */
  started(): boolean;
  /** Starts refreshing; see `Health.start`. */
  start(): Promise<HealthStatus>;
  /** Runs the due checks of `scope` and publishes (single flight); see `Health.evaluate`. */
  evaluate(scope: Scope): Promise<HealthStatus>;
  /** Runs one check and publishes, unless a reload has replaced it meanwhile. */
  refresh(entry: RegisteredCheck): Promise<void>;
}

/** One refresh mode. */
export interface RefreshPolicy {
  /** The answer for `scope` available at once without starting anything, if any. */
  peek(scope: Scope): HealthStatus | undefined;
  /** The answer for `scope`, refreshing as the mode says. */
  status(scope: Scope): Promise<HealthStatus>;
  /** Every check in force has just run, or is running: keep them fresh from now on. */
  resume(): void;
  /** Stops refreshing on its own (timers); a run in progress finishes. */
  stop(): void;
}
