/**
 * The verdict of each probe group on one look at an LLM server (the `llm`
 * kind's table, the same for every server): liveness fails only for what a
 * restart fixes, readiness whenever the server cannot generate now, and the
 * startup group until the server first served. The check's own status is the
 * worst verdict of the groups it is in.
 *
 * @module
 */

import type { Group, GroupVerdict, Status } from "../../types.ts";
import type { Outcome } from "../check.ts";
import type { Cause, Look } from "./look.ts";

const UP: Status = "UP";
const DOWN: Status = "DOWN";

type Row = Readonly<Record<Group, Status>>;

const ALL_UP: Row = { started: UP, ready: UP, live: UP };
/** Serving, but the deep probe's first token came later than `generate.warnAfter`. */
const SLOW: Row = { started: UP, ready: "WARN", live: UP };
/** Not ready, and not something a restart fixes. */
const NOT_READY: Row = { started: DOWN, ready: DOWN, live: UP };
const ALL_DOWN: Row = { started: DOWN, ready: DOWN, live: DOWN };

/** Failing, per cause; `unreachable` is settled apart (it depends on whether the server started). */
const BY_CAUSE: Readonly<Record<Exclude<Cause, "unreachable">, Row>> = {
  engine: ALL_DOWN,
  stall: ALL_DOWN,
  unhealthy: ALL_DOWN,
  model: NOT_READY,
  auth: NOT_READY,
  busy: { started: UP, ready: DOWN, live: UP },
  protocol: NOT_READY,
};

const RANK: Readonly<Record<Status, number>> = { UP: 0, WARN: 1, DOWN: 2 };

/**
 * The group verdicts of a look. `started`: whether the server has served
 * before (this check saw it serving or idle): a server that stops answering
 * after that fails liveness, one that never answered yet does not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupStatuses } from "./verdicts.ts";
 * const row = groupStatuses({ phase: "loading", message: "loading: x" }, false);
 * assert(row.live === "UP" && row.ready === "DOWN" && row.started === "DOWN");
 * ```
 */
export function groupStatuses(look: Look, started: boolean): Row {
  if (look.phase === "loading") return NOT_READY;
  if (look.phase === "serving" && look.warn === true) return SLOW;
  if (look.phase !== "failing") return ALL_UP;
  if (look.cause === "unreachable") return started ? ALL_DOWN : NOT_READY;
  return BY_CAUSE[look.cause];
}

/**
 * A look as an outcome: one verdict per group the check is in, and the
 * check's own status, the worst of them. Every verdict carries the look's message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { outcomeOf } from "./verdicts.ts";
 * const look = { phase: "loading", message: "loading: x" } as const;
 * const outcome = outcomeOf(look, false, ["live", "ready"]);
 * assert(outcome.status === "DOWN" && outcome.byGroup?.live?.status === "UP");
 * ```
 */
export function outcomeOf(look: Look, started: boolean, groups: readonly Group[]): Outcome {
  const row = groupStatuses(look, started);
  const byGroup: Partial<Record<Group, GroupVerdict>> = {};
  let status: Status = UP;
  for (const group of groups) {
    byGroup[group] = { status: row[group], message: look.message };
    if (RANK[row[group]] > RANK[status]) status = row[group];
  }
  return { status, message: look.message, byGroup };
}
