/**
 * The check runner: wraps a kind's probe into a {@link Check} that enforces
 * the timeout, measures the duration on the monotonic clock, masks secrets in
 * the message, and turns every failure (even a thrown one) into a DOWN result.
 *
 * @module
 */

import { type Clock, roundMs, systemClock } from "../clock.ts";
import { maskSecrets } from "../mask.ts";
import type { CheckResult } from "../types.ts";
import { Deadlines } from "./_deadlines.ts";
import { type Check, down, type Outcome, type Probe } from "./check.ts";

/** Every check's timeout shares one runtime timer. */
const deadlines = new Deadlines();

/** Why a run was aborted, for the message. */
function abortMessage(reason: unknown): string {
  if (reason instanceof DOMException && reason.name === "TimeoutError") return reason.message;
  return "cancelled: vitals is shutting down";
}

/**
 * Wraps a probe into a {@link Check} with an enforced timeout. The result is
 * returned when the timeout fires even if the probe ignores its signal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wrapProbe } from "./wrap_probe.ts";
 * const meta = { name: "slow", type: "custom", critical: true, timeout: 50, groups: ["ready" as const], failureThreshold: 1, successThreshold: 1 };
 * const check = wrapProbe(meta, () => new Promise(() => {})); // never settles by itself
 * const result = await check.run(); // never rejects
 * assert(result.status === "DOWN" && result.message === "timed out after 50 ms");
 * ```
 */
export function wrapProbe(
  meta: Omit<Check, "run">,
  probe: Probe,
  clock: Clock = systemClock,
  secrets: readonly string[] = [],
): Check {
  return {
    ...meta,
    async run(signal?: AbortSignal): Promise<CheckResult> {
      const started = clock.now();
      // One promise settled by whichever comes first: the probe, the timeout or
      // the caller's cancel. No race and no listeners on the probe's own signal.
      const outcome = await new Promise<Outcome>((resolve) => {
        const controller = new AbortController();
        let settled = false;
        const finish = (outcome: Outcome) => {
          if (settled) return;
          settled = true;
          cancelTimeout();
          signal?.removeEventListener("abort", onCancel);
          resolve(outcome);
        };
        const stop = (reason: unknown) => {
          controller.abort(reason);
          finish(down(abortMessage(reason)));
        };
        const onCancel = () => stop(signal?.reason);
        const cancelTimeout = deadlines.after(
          meta.timeout,
          () => stop(new DOMException(`timed out after ${meta.timeout} ms`, "TimeoutError")),
        );
        if (signal?.aborted) return onCancel();
        signal?.addEventListener("abort", onCancel, { once: true });
        const failed = (error: unknown) =>
          finish(down(`check failed: ${error instanceof Error ? error.message : String(error)}`));
        try {
          probe(controller.signal).then(finish, failed);
        } catch (error) {
          failed(error); // a probe that throws before returning its promise
        }
      });
      return {
        name: meta.name,
        type: meta.type,
        status: outcome.status,
        critical: meta.critical,
        durationMs: roundMs(clock.now() - started),
        message: maskSecrets(outcome.message, secrets),
        checkedAt: clock.date().toISOString(),
      };
    },
  };
}
