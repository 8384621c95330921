/**
 * The check runner: wraps a kind's inspection into a {@link Check} that enforces
 * the timeout, measures the duration on the monotonic clock, masks secrets in
 * the message, and turns every failure (even a thrown one) into a DOWN result.
 *
 * @module
 */

import { type Clock, roundMs, systemClock } from "../clock.ts";
import { maskSecrets } from "../mask.ts";
import {
  type Group,
  GROUPS,
  type GroupVerdict,
  type LlmFigures,
  type RunResult,
} from "../types.ts";
import { deadlinesOn } from "./_deadlines.ts";
import { type Check, down, type Inspect, type Outcome } from "./check.ts";

/**
 * How long a timed-out inspection may take to stop and say what it saw (a
 * command's output so far) before its result is given without it.
 */
const STOP_GRACE_MS = 250;

/** Why a run was aborted, for the message. */
function abortMessage(reason: unknown): string {
  if (reason instanceof DOMException && reason.name === "TimeoutError") return reason.message;
  return "cancelled: vitals is shutting down";
}

/**
 * Wraps an inspection into a {@link Check} with an enforced timeout. A timed-out
 * inspection's signal aborts; if it settles within a short grace, its message (a
 * command's output so far) is kept after the timeout's, and if it does not,
 * the result is given without it: an inspection that ignores its signal cannot hold
 * a run past its timeout by more than the grace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runner } from "./runner.ts";
 * const meta = { name: "slow", type: "custom", critical: true, timeout: 50, groups: ["ready" as const], failureThreshold: 1, successThreshold: 1 };
 * const check = runner(meta, () => new Promise(() => {})); // never settles by itself
 * const result = await check.run(); // never rejects
 * assert(result.status === "DOWN" && result.message === "timed out after 50 ms");
 * ```
 */
export function runner(
  meta: Omit<Check, "run">,
  inspect: Inspect,
  clock: Clock = systemClock,
  secrets: readonly string[] = [],
): Check {
  // Every run's timeout on this clock shares one timer.
  const deadlines = deadlinesOn(clock);
  return {
    ...meta,
    async run(signal?: AbortSignal): Promise<RunResult> {
      const started = clock.now();
      // One promise settled by whichever comes first: the inspection, the timeout or
      // the caller's cancel. No race and no listeners on the inspection's own signal
      // (BENCHMARKS.md, "Cost of a check").
      const outcome = await new Promise<Outcome>((resolve) => {
        const controller = new AbortController();
        let settled = false;
        /** Set once the run is stopped: why, as the message starts. */
        let stopped: string | undefined;
        let cancelGrace = () => {};
        const finish = (outcome: Outcome) => {
          if (settled) return;
          settled = true;
          cancelTimeout();
          cancelGrace();
          signal?.removeEventListener("abort", onCancel);
          resolve(outcome);
        };
        const stop = (reason: unknown, grace: number) => {
          stopped = abortMessage(reason);
          controller.abort(reason);
          if (grace === 0) return finish(down(stopped));
          const message = stopped;
          cancelGrace = deadlines.after(grace, () => finish(down(message)));
        };
        const onCancel = () => stop(signal?.reason, 0);
        const cancelTimeout = deadlines.after(
          meta.timeout,
          () =>
            stop(
              new DOMException(`timed out after ${meta.timeout} ms`, "TimeoutError"),
              STOP_GRACE_MS,
            ),
        );
        if (signal?.aborted) return onCancel();
        signal?.addEventListener("abort", onCancel, { once: true });
        const settle = (outcome: Outcome) => {
          if (stopped === undefined) return finish(outcome);
          // Stopped: DOWN whatever the inspection says, with what it saw if it says anything.
          finish(down(outcome.message === "" ? stopped : `${stopped}; ${outcome.message}`));
        };
        const failed = (error: unknown) => {
          if (stopped !== undefined) return finish(down(stopped));
          finish(down(`check failed: ${error instanceof Error ? error.message : String(error)}`));
        };
        try {
          // `.catch`: a settle that throws (an inspection resolving with no outcome)
          // must fail the run, not reject where nobody listens.
          inspect(controller.signal).then(settle, failed).catch(failed);
        } catch (error) {
          failed(error); // an inspection that throws before returning its promise
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
        // A timed-out or cancelled run has none: its outcome is the runner's own.
        ...(outcome.perfdata === undefined ? {} : { perfdata: outcome.perfdata }),
        ...(outcome.byGroup === undefined
          ? {}
          : { byGroup: maskVerdicts(outcome.byGroup, secrets) }),
        ...(outcome.llm === undefined ? {} : { llm: maskFigures(outcome.llm, secrets) }),
      };
    },
  };
}

/** An `llm` check's figures with secrets masked in the model name, as in messages. */
function maskFigures(llm: LlmFigures, secrets: readonly string[]): LlmFigures {
  return llm.model === undefined ? llm : { ...llm, model: maskSecrets(llm.model, secrets) };
}

/** Per-group verdicts with secrets masked in their messages, as the run's own message is. */
function maskVerdicts(
  byGroup: NonNullable<Outcome["byGroup"]>,
  secrets: readonly string[],
): NonNullable<Outcome["byGroup"]> {
  const masked: Partial<Record<Group, GroupVerdict>> = {};
  for (const group of GROUPS) {
    const verdict = byGroup[group];
    if (verdict) masked[group] = { ...verdict, message: maskSecrets(verdict.message, secrets) };
  }
  return masked;
}
