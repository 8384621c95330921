/**
 * The maintenance switch: an operator takes this vitals' probe groups out of
 * rotation on purpose (before a migration, while draining a node by hand)
 * without stopping it. This is the one owner of its state: on or off, the reason,
 * since when (on the injected clock) and the scopes it answers DOWN. The
 * state lives as long as the process: a config reload keeps it (the `Health`
 * that holds it is made once per `serve`) and a restart clears it, unless
 * `server.maintenanceFile` is set: then the app writes each change there and
 * restores it at start (app/maintenance_file.ts, through {@link Maintenance.restore}).
 *
 * The scopes are the probe groups (`live`, `ready`, `started`) and `all`,
 * which stands for `/health` itself (and gRPC's service `""`). The default is
 * `ready` alone: liveness and `/health` (Cloud Foundry's restart trigger) go
 * DOWN only when named.
 *
 * @module
 */

import { type Clock, systemClock } from "../clock.ts";
import { GROUPS, type MaintenanceInfo, type Scope } from "../types.ts";

/** The longest reason accepted, in characters (code points). */
export const MAX_REASON_LENGTH = 200;

/** Every scope the switch can take down, in the order they are listed. */
export const MAINTENANCE_SCOPES: readonly Scope[] = [...GROUPS, "all"];

/** The scopes taken down when none are named. */
export const DEFAULT_MAINTENANCE_SCOPES: readonly Scope[] = ["ready"];

/** The switch's state: off, or on with its reason, start and scopes. */
export type MaintenanceState =
  | { readonly on: false }
  | ({ readonly on: true } & MaintenanceInfo);

/** A state saved outside the process, its reason and groups not yet checked ({@link Maintenance.restore}). */
export type SavedMaintenance =
  | { readonly on: false }
  | {
    readonly on: true;
    readonly reason: string;
    readonly since: string;
    readonly groups: readonly string[];
  };

/** One change of the switch, as its listeners hear it. */
export interface MaintenanceChange {
  readonly state: MaintenanceState;
  readonly previous: MaintenanceState;
  /** Who changed it: a remote address, or `local`. */
  readonly by: string;
}

const OFF: MaintenanceState = Object.freeze({ on: false });

/** C0 and C1 controls, DEL, line and paragraph separators, and bidirectional overrides. */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * The reason as kept (surrounding whitespace trimmed).
 *
 * @throws {RangeError} for an empty reason, one over {@link MAX_REASON_LENGTH}
 * characters, or one with a control character
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maintenanceReason } from "./maintenance.ts";
 * assert.equal(maintenanceReason("  db migration "), "db migration");
 * assert.throws(() => maintenanceReason("two\nlines"), RangeError);
 * ```
 */
export function maintenanceReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed === "") {
    throw new RangeError("Invalid maintenance reason: expected some text, got none");
  }
  const length = [...trimmed].length;
  if (length > MAX_REASON_LENGTH) {
    throw new RangeError(
      `Invalid maintenance reason: expected at most ${MAX_REASON_LENGTH} characters, got ${length}`,
    );
  }
  if (CONTROL.test(trimmed)) {
    throw new RangeError("Invalid maintenance reason: control characters are not accepted");
  }
  return trimmed;
}

/**
 * The scopes named, without repeats and in {@link MAINTENANCE_SCOPES}' order;
 * none named: {@link DEFAULT_MAINTENANCE_SCOPES}.
 *
 * @throws {RangeError} for a name that is not a probe group or `all`
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maintenanceScopes } from "./maintenance.ts";
 * assert.deepEqual(maintenanceScopes([]), ["ready"]);
 * assert.deepEqual(maintenanceScopes(["ready", "live", "ready"]), ["live", "ready"]);
 * assert.throws(() => maintenanceScopes(["readiness"]), /Unknown group "readiness"/);
 * ```
 */
export function maintenanceScopes(names: readonly string[]): readonly Scope[] {
  if (names.length === 0) return DEFAULT_MAINTENANCE_SCOPES;
  for (const name of names) {
    if (!(MAINTENANCE_SCOPES as readonly string[]).includes(name)) {
      throw new RangeError(
        `Unknown group "${name}": expected live, ready, started or all`,
      );
    }
  }
  return MAINTENANCE_SCOPES.filter((scope) => names.includes(scope));
}

/**
 * The switch, owned by the running app's `Health`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Maintenance } from "./maintenance.ts";
 * const maintenance = new Maintenance();
 * maintenance.turnOn("db migration", [], "local");
 * assert.ok(maintenance.covers("ready") && !maintenance.covers("live"));
 * maintenance.turnOff("local");
 * assert.deepEqual(maintenance.state, { on: false });
 * ```
 */
export class Maintenance {
  readonly #clock: Clock;
  #state: MaintenanceState = OFF;
  #info: MaintenanceInfo | undefined;
  readonly #listeners = new Set<(change: MaintenanceChange) => void>();

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  /** The state now. */
  get state(): MaintenanceState {
    return this.#state;
  }

  /** The reason, start and scopes while on; `undefined` while off. */
  get info(): MaintenanceInfo | undefined {
    return this.#info;
  }

  /** Whether the switch takes `scope` down now. */
  covers(scope: Scope): boolean {
    return this.#state.on && this.#state.groups.includes(scope);
  }

  /**
   * Turns the switch on for `groups` (none: `ready`), or, when it is on
   * already, replaces its reason and scopes and keeps its start. Validates
   * everything before changing anything.
   *
   * @throws {RangeError} for a reason or a group name that is not accepted
   */
  turnOn(reason: string, groups: readonly string[], by: string): MaintenanceState {
    const kept = maintenanceReason(reason);
    const scopes = maintenanceScopes(groups);
    const previous = this.#state;
    if (
      previous.on && previous.reason === kept &&
      previous.groups.join() === scopes.join()
    ) return previous;
    const since = previous.on ? previous.since : this.#clock.date().toISOString();
    this.#change(
      Object.freeze({ on: true, reason: kept, since, groups: Object.freeze([...scopes]) }),
      by,
    );
    return this.#state;
  }

  /**
   * Takes back a state saved earlier (its `since` kept), as a change by `by`; validates it as
   * {@link Maintenance.turnOn} does, and nothing changes when it is off.
   *
   * @throws {RangeError} for a reason or a group name that is not accepted
   */
  restore(saved: SavedMaintenance, by: string): MaintenanceState {
    if (!saved.on) return this.turnOff(by);
    const reason = maintenanceReason(saved.reason);
    const groups = Object.freeze([...maintenanceScopes(saved.groups)]);
    this.#change(Object.freeze({ on: true, reason, since: saved.since, groups }), by);
    return this.#state;
  }

  /** Turns the switch off; nothing happens when it is off already. */
  turnOff(by: string): MaintenanceState {
    if (this.#state.on) this.#change(OFF, by);
    return this.#state;
  }

  /** Calls `listener` after each change; returns the function that stops it. */
  onChange(listener: (change: MaintenanceChange) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #change(state: MaintenanceState, by: string): void {
    const previous = this.#state;
    this.#state = state;
    this.#info = state.on
      ? Object.freeze({ reason: state.reason, since: state.since, groups: state.groups })
      : undefined;
    for (const listener of this.#listeners) {
      try {
        listener({ state, previous, by });
      } catch {
        // A failing listener (a log write) must not undo or block the switch.
      }
    }
  }
}
