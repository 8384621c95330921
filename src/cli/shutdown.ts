/**
 * How `serve` stops: waiting for SIGTERM or SIGINT, then the shutdown order
 * that keeps traffic safe: readiness turns DOWN first (drain), then after
 * `server.drainDelay` the server stops accepting and finishes in-flight
 * requests, and only then are the checks stopped (their processes killed).
 *
 * @module
 */

import { sleep, systemClock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Platform, SignalName } from "../platform/mod.ts";

/** How long in-flight requests may take to finish on shutdown. */
export const SHUTDOWN_GRACE_MS = 5_000;

/** What {@link shutdown} stops, in order. */
export interface ShutdownParts {
  /** Drained first (readiness DOWN), closed last (checks cancelled). */
  readonly health: { drain(): void; close(): void };
  readonly server: { shutdown(graceMs: number): Promise<void> };
  /** How long readiness answers DOWN before the server stops, in ms. */
  readonly drainDelay: number;
  readonly log: Logger;
  /** Waits `ms`; tests pass their own. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => sleep(systemClock, ms);

/**
 * Waits for the first of `signals`; any later one calls `again` (which exits
 * at once). Installs its handlers before it returns, so call it before
 * anything that a signal should interrupt.
 *
 * @example
 * ```ts ignore
 * const stop = nextSignal(platform, ["SIGTERM", "SIGINT"], () => platform.exit(1));
 * const name = await stop; // "SIGTERM"
 * ```
 */
export function nextSignal(
  platform: Pick<Platform, "onSignal">,
  signals: readonly SignalName[],
  again: () => void,
): Promise<SignalName> {
  return new Promise((resolve) => {
    let received = false;
    for (const name of signals) {
      platform.onSignal(name, () => {
        if (received) return again();
        received = true;
        resolve(name);
      });
    }
  });
}

/**
 * Stops a serving vitals after `signal`: drain, wait `drainDelay`, close the
 * server (in-flight requests get {@link SHUTDOWN_GRACE_MS}), stop the checks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shutdown } from "./shutdown.ts";
 * import { silentLogger } from "../log.ts";
 * const order: string[] = [];
 * await shutdown("SIGTERM", {
 *   health: { drain: () => order.push("drain"), close: () => order.push("close checks") },
 *   server: { shutdown: async () => void order.push("close server") },
 *   drainDelay: 0,
 *   log: silentLogger,
 * });
 * assert(order.join() === "drain,close server,close checks");
 * ```
 */
export async function shutdown(signal: SignalName, parts: ShutdownParts): Promise<void> {
  const { health, server, drainDelay, log } = parts;
  // Readiness fails first, so endpoints stop sending traffic before the port closes.
  health.drain();
  if (drainDelay > 0) {
    log.info(
      `${signal} received: readiness is DOWN; stopping in ${drainDelay} ms (server.drainDelay)`,
    );
    await (parts.sleep ?? realSleep)(drainDelay);
  }
  log.info(
    `${signal} received: finishing in-flight requests (at most ${SHUTDOWN_GRACE_MS / 1000} s)`,
  );
  await server.shutdown(SHUTDOWN_GRACE_MS);
  health.close();
  log.info("stopped");
}
