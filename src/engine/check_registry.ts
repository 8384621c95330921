/**
 * The check registry: the checks in force, kept across reloads, and the one
 * owner of each check's {@link CheckState} and {@link CheckHistory}. It runs
 * checks on the bounded pool (a check is never run twice at once: a caller
 * that finds it running joins that run) and records each result once, as
 * its run ends.
 *
 * @module
 */

import { reportCallbackError } from "../callback_error.ts";
import type { Check } from "../checks/check.ts";
import type { Clock } from "../clock.ts";
import type { CheckView, RunResult, Scope } from "../types.ts";
import { type CheckState, INITIAL_STATE, recordResult } from "./check_state.ts";
import { CheckHistory } from "./history.ts";
import { Limiter } from "./limiter.ts";

/** A check and its state as they were at one moment; both are immutable. */
export interface CheckEntry {
  readonly check: Check;
  readonly state: CheckState;
}

/** Whether `check` belongs to `scope`. */
export function inScope(check: Check, scope: Scope): boolean {
  return scope === "all" || check.groups.includes(scope);
}

/**
 * What the registry keeps of one check definition, shared by its entries
 * before and after a reload that keeps it. Only the registry writes it.
 */
class Cell {
  state: CheckState = INITIAL_STATE;
  readonly history = new CheckHistory();
  /** Settles once the run in progress is recorded; every other caller joins it. */
  running: Promise<void> | undefined;
}

/** A check in one check list, with the cell its results go to. */
interface Slot {
  readonly check: Check;
  readonly cell: Cell;
}

/** Checks prepared for a reload: {@link CheckRegistry.prepare} makes them, `commit` puts them in force. */
export type PreparedChecks = readonly Slot[];

/** Options for {@link CheckRegistry}. */
export interface RegistryOptions {
  readonly checks: readonly Check[];
  readonly poolSize: number;
  readonly clock: Clock;
  /** Called after each recorded run of a check with its new and its previous view. */
  readonly onCheckResult?: ((next: CheckView, previous: CheckView | undefined) => void) | undefined;
}

/**
 * The checks in force and their states.
 *
 * @example
 * ```ts ignore
 * const registry = new CheckRegistry({ checks, poolSize: 4, clock: systemClock });
 * await registry.run(registry.slots, signal);
 * registry.entries()[0]?.state.view?.status; // "UP"
 * ```
 */
export class CheckRegistry {
  readonly #clock: Clock;
  readonly #limiter: Limiter;
  readonly #onCheckResult: RegistryOptions["onCheckResult"];
  #slots: readonly Slot[];
  /** The last entries made per slot, reused while its state holds. */
  readonly #entries = new WeakMap<Slot, CheckEntry>();

  constructor(options: RegistryOptions) {
    this.#clock = options.clock;
    this.#limiter = new Limiter(options.poolSize);
    this.#onCheckResult = options.onCheckResult;
    this.#slots = options.checks.map((check) => ({ check, cell: new Cell() }));
  }

  /** The checks in force, in config order (for {@link run} and {@link due}). */
  get slots(): PreparedChecks {
    return this.#slots;
  }

  /**
   * Every check in force with its state now. A check whose state has not
   * changed since the last call is the same object as then, so this costs one array
   * (BENCHMARKS.md, "Scale").
   */
  entries(): readonly CheckEntry[] {
    return this.#slots.map((slot) => {
      const last = this.#entries.get(slot);
      if (last?.state === slot.cell.state) return last;
      const entry: CheckEntry = Object.freeze({ check: slot.check, state: slot.cell.state });
      this.#entries.set(slot, entry);
      return entry;
    });
  }

  /** The history of `check` while it is in force, for the status page. */
  historyOf(check: Check): CheckHistory | undefined {
    return this.#slots.find((slot) => slot.check === check)?.cell.history;
  }

  /**
   * The checks a new list would have: a check whose definition (its `key`) is
   * unchanged keeps its state and history; the rest start fresh. Nothing is
   * in force until {@link commit}.
   */
  prepare(checks: readonly Check[]): PreparedChecks {
    // Without a key, a check is the same definition only as the same object.
    const kept = new Map<unknown, Cell>(
      this.#slots.map((slot) => [slot.check.key ?? slot.check, slot.cell]),
    );
    return checks.map((check) => ({ check, cell: kept.get(check.key ?? check) ?? new Cell() }));
  }

  /** Puts prepared checks in force and resizes the pool. */
  commit(prepared: PreparedChecks, poolSize: number): void {
    this.#slots = prepared;
    this.#limiter.resize(poolSize);
  }

  /** Whether `slot` is one of the checks in force (not replaced by a reload). */
  inForce(slot: Slot): boolean {
    return this.#slots.includes(slot);
  }

  /**
   * The checks of `slots` in `scope` whose last run ended at least their
   * interval (`ttl` when unset) ago, or every one in `scope` with `all`.
   */
  due(slots: PreparedChecks, ttl: number, scope: Scope = "all", all = false): Slot[] {
    const now = this.#clock.now();
    return slots.filter(({ check, cell: { state } }) =>
      inScope(check, scope) &&
      (all || state.view === undefined || now - state.finishedAt >= (check.interval ?? ttl))
    );
  }

  /**
   * Runs `slots`: each check not already running is started on the pool, and
   * one that is running is joined. Each result is recorded the moment its run
   * ends, before anyone waiting on it goes on. Never rejects.
   */
  async run(slots: PreparedChecks, signal: AbortSignal): Promise<void> {
    await Promise.all(slots.map((slot) => slot.cell.running ??= this.#start(slot, signal)));
  }

  #start(slot: Slot, signal: AbortSignal): Promise<void> {
    const settled = this.#limiter.run(() => slot.check.run(signal)).then(
      (result) => ({ status: "fulfilled", value: result }) as const,
      (reason: unknown) => ({ status: "rejected", reason }) as const,
    );
    return settled.then((outcome) => {
      slot.cell.running = undefined;
      this.#record(slot, this.#resultOf(slot, outcome), this.#clock.now());
    });
  }

  /** A run's result; a run that rejected (which the runner never lets happen) is DOWN. */
  #resultOf({ check }: Slot, settled: PromiseSettledResult<RunResult>): RunResult {
    if (settled.status === "fulfilled") return settled.value;
    const reason = settled.reason instanceof Error ? settled.reason.message : settled.reason;
    return {
      name: check.name,
      type: check.type,
      status: "DOWN",
      critical: check.critical,
      durationMs: 0,
      message: `internal error: ${reason}`,
      checkedAt: this.#clock.date().toISOString(),
    };
  }

  /** Records one run's result: the one writer of a check's state and history. */
  #record({ check, cell }: Slot, result: RunResult, finishedAt: number): void {
    const previous = cell.state.view;
    // The thresholds of the check that ran: a reload may have changed them.
    cell.state = recordResult(cell.state, result, check, finishedAt);
    const at = Date.parse(result.checkedAt);
    cell.history.record(result.status, cell.state.view!.status, result.durationMs, at);
    try {
      this.#onCheckResult?.(cell.state.view!, previous);
    } catch (error) {
      reportCallbackError(`Cannot report the result of check "${check.name}"`, error);
    }
  }
}
