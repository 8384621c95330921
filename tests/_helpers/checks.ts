/**
 * Checks for tests: the resolved config fields a check needs
 * (`CHECK_BASE`, `CHECK_META`), running one check of a real kind built from
 * config (`runCheck`), and checks whose inspection the test controls
 * (`controlled`), wrapped in the real runner, with the outcomes they return
 * most (`UP`, `REFUSED`).
 *
 * @module
 */

import type { Check, Outcome } from "../../src/checks/check.ts";
import { createCheck } from "../../src/checks/create_check.ts";
import { runner } from "../../src/checks/runner.ts";
import { type Clock, systemClock } from "../../src/clock.ts";
import type { CheckConfig } from "../../src/config/resolve.ts";
import type { RunResult } from "../../src/types.ts";
import { platform } from "./platform.ts";
import { sleep } from "./waits.ts";

/** Every field a resolved check config needs besides its name and kind. */
export const CHECK_BASE = {
  timeout: 2000,
  critical: true,
  groups: ["ready" as const],
  interval: 30_000,
  failureThreshold: 1,
  successThreshold: 1,
};

/**
 * What a check built in a test (with `runner`) needs besides its name,
 * kind, criticality and timeout: the values the config layer would resolve.
 */
export const CHECK_META = {
  groups: ["ready" as const],
  failureThreshold: 1,
  successThreshold: 1,
};

/**
 * Runs one check built by `createCheck` from `config` over {@link CHECK_BASE}
 * (named `target` unless `config` names it).
 */
export function runCheck(config: CheckConfig | Record<string, unknown>): Promise<RunResult> {
  return createCheck({ ...CHECK_BASE, name: "target", ...config } as CheckConfig, { platform })
    .run();
}

/** Fields of a check a test may set besides its name. */
export type Meta = Partial<Omit<Check, "run" | "name">>;

/** An UP outcome. */
export const UP: Outcome = { status: "UP", message: "fine" };
/** A DOWN outcome. */
export const REFUSED: Outcome = { status: "DOWN", message: "refused" };

/** What a {@link controlled} check does on its next run; the test changes it at will. */
export interface ControlledState {
  /** How many runs have started. */
  runs: number;
  /** What each run returns. */
  outcome: Outcome;
  /** Real time each run sleeps (ended early by the run's signal). */
  sleepMs: number;
  /** When set, each run waits for it first. */
  gate: Promise<void> | undefined;
}

/**
 * A real runner check (critical, in the ready group, timeout 10 s unless
 * `meta` says otherwise) whose inspection the test controls. Each run counts
 * itself, waits for `state.gate` if set, sleeps `state.sleepMs` of real time
 * (abortable) if set, and returns `state.outcome` (UP until changed).
 */
export function controlled(
  name: string,
  clock: Clock = systemClock,
  meta: Meta = {},
): { check: Check; state: ControlledState } {
  const state: ControlledState = { runs: 0, outcome: UP, sleepMs: 0, gate: undefined };
  const check = runner(
    { ...CHECK_META, type: "custom", critical: true, timeout: 10_000, ...meta, name },
    async (signal) => {
      state.runs++;
      if (state.gate) await state.gate;
      if (state.sleepMs > 0) await sleep(state.sleepMs, signal);
      await Promise.resolve();
      return state.outcome;
    },
    clock,
  );
  return { check, state };
}
