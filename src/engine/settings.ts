/**
 * What a `Health` is made of: its checks, clock and hooks, and its settings
 * (the refresh mode, the cache ttl, the pool size and how long a request
 * waits). `Health` owns the settings in force; a reload replaces them whole.
 *
 * @module
 */

import type { Check } from "../checks/check.ts";
import type { Clock } from "../clock.ts";
import type { CheckView, HealthStatus } from "../types.ts";

/**
 * How results are refreshed: `on-demand`, when a request finds them
 * expired, or `background`, each check on its own timer.
 */
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

/** Options for `Health`: its checks, clock and hooks, and its first settings. */
export interface HealthOptions extends HealthSettings {
  readonly checks: readonly Check[];
  readonly clock?: Clock;
  /** Called after each publish with the new and the previous status of every check. */
  readonly onEvaluated?: (next: HealthStatus, previous: HealthStatus | undefined) => void;
  /** Called after each run of a check with its new and its previous view. */
  readonly onCheckResult?: (next: CheckView, previous: CheckView | undefined) => void;
}

/**
 * The settings with their defaults: on demand, no limit on waiting.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { settingsOf } from "./settings.ts";
 * const settings = settingsOf({ ttl: 30_000, poolSize: 4 });
 * assert(settings.mode === "on-demand" && settings.maxWait === Infinity);
 * ```
 */
export function settingsOf(settings: HealthSettings): Required<HealthSettings> {
  return {
    ttl: settings.ttl,
    poolSize: settings.poolSize,
    mode: settings.mode ?? "on-demand",
    maxWait: settings.maxWait ?? Infinity,
  };
}
