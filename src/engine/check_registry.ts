/**
 * The check registry: the list of checks in force, kept across reloads, and
 * the one owner of each check's {@link CheckState}. It runs a check (on the
 * bounded pool, never twice at once), records the result (and in the check's
 * {@link CheckHistory}), and hands out read-only snapshots of every check for
 * publishing and metrics.
 *
 * @module
 */

import type { Check } from "../checks/check.ts";
import type { Clock } from "../clock.ts";
import type { CheckView, Group, Scope } from "../types.ts";
import { type CheckState, INITIAL_STATE, recordResult } from "./check_state.ts";
import { CheckHistory } from "./history.ts";
import { Limiter } from "./limiter.ts";

/** One registered check as others may see it: its definition and current state. */
export interface RegisteredCheck {
  readonly check: Check;
  readonly state: CheckState;
  /** Its recent results and changes; kept, like the state, by a reload that keeps the check. */
  readonly history: CheckHistory;
}

/** A frozen copy of one check's identity and state, as published. */
export interface CheckSnapshot {
  readonly name: string;
  readonly type: string;
  readonly critical: boolean;
  readonly groups: readonly Group[];
  readonly view: CheckView | undefined;
  readonly everUp: boolean;
  readonly runs: CheckState["runs"];
  readonly lastSuccessAt: number;
  /** Monotonic time the last run ended (`-Infinity` before the first). */
  readonly finishedAt: number;
  /** How long a result stays fresh, in ms: the check's interval, else the cache ttl. */
  readonly interval: number;
}

/** Whether `check` belongs to `scope`. */
export function inScope(check: Check, scope: Scope): boolean {
  return scope === "all" || check.groups.includes(scope);
}

/**
 * The state of one check definition, shared by its entries before and after a
 * reload that keeps it. Only the registry writes its fields.
 */
class Cell {
  state: CheckState = INITIAL_STATE;
  readonly history = new CheckHistory();
  /** The run in progress, which every other caller joins. */
  running: Promise<void> | undefined;
}

/** A check in one check list, with the cell its results go to. */
class Slot implements RegisteredCheck {
  /** The last snapshot made, reused while the state and the ttl it was made from hold. */
  #snapshot: { state: CheckState; ttl: number; value: CheckSnapshot } | undefined;

  constructor(readonly check: Check, readonly cell: Cell) {}

  /** A frozen copy of this check and its state; the same object until either changes. */
  snapshot(ttl: number): CheckSnapshot {
    const { check, cell: { state } } = this;
    const last = this.#snapshot;
    if (last?.state === state && last.ttl === ttl) return last.value;
    const value: CheckSnapshot = Object.freeze({
      name: check.name,
      type: check.type,
      critical: check.critical,
      groups: check.groups,
      view: state.view,
      everUp: state.everUp,
      runs: state.runs,
      lastSuccessAt: state.lastSuccessAt,
      finishedAt: state.finishedAt,
      interval: check.interval ?? ttl,
    });
    this.#snapshot = { state, ttl, value };
    return value;
  }

  get state(): CheckState {
    return this.cell.state;
  }

  get history(): CheckHistory {
    return this.cell.history;
  }
}

/** Options for {@link CheckRegistry}. */
export interface RegistryOptions {
  readonly checks: readonly Check[];
  readonly poolSize: number;
  readonly clock: Clock;
  /** Called after each run of a check with its new and its previous view. */
  readonly onCheckResult?: ((next: CheckView, previous: CheckView | undefined) => void) | undefined;
}

/**
 * The checks in force and their states.
 *
 * @example
 * ```ts ignore
 * const registry = new CheckRegistry({ checks, poolSize: 4, clock: systemClock });
 * await Promise.all(registry.entries.map((entry) => registry.run(entry, signal)));
 * registry.snapshot()[0]?.view?.status; // "UP"
 * ```
 */
export class CheckRegistry {
  readonly #clock: Clock;
  readonly #limiter: Limiter;
  readonly #onCheckResult: RegistryOptions["onCheckResult"];
  #slots: readonly Slot[];

  constructor(options: RegistryOptions) {
    this.#clock = options.clock;
    this.#limiter = new Limiter(options.poolSize);
    this.#onCheckResult = options.onCheckResult;
    this.#slots = options.checks.map((check) => new Slot(check, new Cell()));
  }

  /** The checks in force, in config order. */
  get entries(): readonly RegisteredCheck[] {
    return this.#slots;
  }

  /**
   * The entries a new check list would have: a check whose definition (its
   * `key`) is unchanged keeps its state; the rest start fresh. Nothing is in
   * force until {@link commit}.
   */
  prepare(checks: readonly Check[]): readonly RegisteredCheck[] {
    // Without a key, a check is the same definition only as the same object.
    const kept = new Map<unknown, Cell>(
      this.#slots.map((slot) => [slot.check.key ?? slot.check, slot.cell]),
    );
    return checks.map((check) => new Slot(check, kept.get(check.key ?? check) ?? new Cell()));
  }

  /** Puts prepared entries in force and resizes the pool. */
  commit(entries: readonly RegisteredCheck[], poolSize: number): void {
    this.#slots = entries.map((entry) => this.#slot(entry));
    this.#limiter.resize(poolSize);
  }

  /** Whether `entry` is one of the checks in force (not replaced by a reload). */
  inForce(entry: RegisteredCheck): boolean {
    return this.#slots.includes(entry as Slot);
  }

  /**
   * The entries of `scope` whose last run ended at least their interval ago
   * (`ttl` when unset), or every entry of `scope` with `all`.
   */
  due(
    entries: readonly RegisteredCheck[],
    ttl: number,
    scope: Scope = "all",
    all = false,
  ): RegisteredCheck[] {
    const now = this.#clock.now();
    return entries.filter(({ check, state }) =>
      inScope(check, scope) &&
      (all || state.view === undefined || now - state.finishedAt >= (check.interval ?? ttl))
    );
  }

  /** Runs a check unless it is already running, in which case the caller joins that run. */
  run(entry: RegisteredCheck, signal: AbortSignal): Promise<void> {
    const { check, cell } = this.#slot(entry);
    cell.running ??= this.#limiter.run(() => check.run(signal)).then((result) => {
      const previous = cell.state.view;
      // The thresholds of the entry that ran: a reload may have changed them.
      cell.state = recordResult(cell.state, result, check, this.#clock.now());
      const at = Date.parse(result.checkedAt);
      cell.history.record(result.status, cell.state.view!.status, result.durationMs, at);
      this.#onCheckResult?.(cell.state.view!, previous);
    }).finally(() => {
      cell.running = undefined;
    });
    return cell.running;
  }

  /** Marks the last runs of `entries` as ended at `at` (monotonic), for their freshness. */
  settle(entries: readonly RegisteredCheck[], at: number): void {
    for (const entry of entries) {
      const { cell } = this.#slot(entry);
      if (cell.state.view !== undefined) cell.state = { ...cell.state, finishedAt: at };
    }
  }

  /**
   * A frozen copy of every check in force; `ttl` is the interval of checks
   * without their own. A check whose state has not changed since the last
   * snapshot is the same object as then, so a snapshot costs one array.
   */
  snapshot(ttl: number): readonly CheckSnapshot[] {
    return this.#slots.map((slot) => slot.snapshot(ttl));
  }

  #slot(entry: RegisteredCheck): Slot {
    if (!(entry instanceof Slot)) {
      throw new TypeError(`Cannot run check "${entry.check.name}": another registry made it`);
    }
    return entry;
  }
}
