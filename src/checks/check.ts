/**
 * What a check is: a configured, runnable check ({@link Check}), and the
 * shape of one kind's work ({@link Inspect}) with the {@link Outcome} it returns.
 *
 * @module
 */

import type { Group, GroupVerdict, LlmFigures, Perfdata, RunResult, Status } from "../types.ts";

/** What one inspection saw, before the runner adds name, timing and criticality. */
export interface Outcome {
  readonly status: Status;
  readonly message: string;
  /** A Nagios plugin's performance data; the runner passes it on to the result. */
  readonly perfdata?: readonly Perfdata[];
  /** A verdict per probe group (only `llm`); the runner passes it on, masked, to the result. */
  readonly byGroup?: Readonly<Partial<Record<Group, GroupVerdict>>>;
  /** An `llm` check's figures; the runner passes them on, the model name masked, to the result. */
  readonly llm?: LlmFigures;
}

/**
 * One kind's work, an inspection: look at the target once. Must stop promptly when `signal`
 * aborts. Throwing is allowed; the runner turns it into a DOWN result.
 */
export type Inspect = (signal: AbortSignal) => Promise<Outcome>;

/** A configured check, ready to run. Every value comes resolved from the config. */
export interface Check {
  readonly name: string;
  readonly type: string;
  readonly critical: boolean;
  /** Enforced limit for one run, in milliseconds. */
  readonly timeout: number;
  /** Probe groups the check belongs to. */
  readonly groups: readonly Group[];
  /** How often to re-run, in ms; unset: every cache `ttl`, whatever a reload sets it to. */
  readonly interval?: number | undefined;
  /** Consecutive DOWN runs before the check counts as DOWN. */
  readonly failureThreshold: number;
  /** Consecutive UP runs before a DOWN check counts as UP again. */
  readonly successThreshold: number;
  /** Identity of the check's definition: a reload keeps the state of checks whose key is unchanged. */
  readonly key?: string;
  /** Runs once; never rejects. Aborting `signal` cancels the run (DOWN, "cancelled"). */
  run(signal?: AbortSignal): Promise<RunResult>;
}

/**
 * Shorthand for an UP outcome.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { up } from "./check.ts";
 * assert(up("exit 0").status === "UP");
 * ```
 */
export const up = (message: string): Outcome => ({ status: "UP", message });

/** Shorthand for a WARN outcome: the target works but needs attention. */
export const warn = (message: string): Outcome => ({ status: "WARN", message });

/** Shorthand for a DOWN outcome. */
export const down = (message: string): Outcome => ({ status: "DOWN", message });
