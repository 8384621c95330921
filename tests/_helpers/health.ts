/**
 * Health objects and statuses for tests: an on-demand Health over given
 * checks on a manual clock, with a handler over it (`onDemand`), a background
 * one whose first result is held back (`awaitingFirstResult`), and statuses
 * built by the real `summarize()` from plain results (`aggregate`, `result`).
 *
 * @module
 */

import type { Check } from "../../src/checks/check.ts";
import { Health } from "../../src/engine/health.ts";
import { summarize } from "../../src/engine/summary.ts";
import { createHandler, type Handler } from "../../src/http/handler.ts";
import type { HealthStatus, RunResult } from "../../src/types.ts";
import { controlled } from "./checks.ts";
import { ManualClock, STAMP } from "./clock.ts";
import { gate } from "./waits.ts";

/** The ttl of {@link onDemand}: `clock.advance(TTL)` forces the next evaluation. */
export const TTL = 10_000;

/** An on-demand Health (ttl {@link TTL}, pool of 4) on a manual clock, and a handler over it. */
export function onDemand(
  checks: Check[],
  clock: ManualClock,
  extra: { maxWait?: number } = {},
): { health: Health; handler: Handler } {
  const health = new Health({ checks, ttl: TTL, poolSize: 4, clock, ...extra });
  return { health, handler: createHandler(health) };
}

/**
 * A background Health (ttl 60 s, pool of 1) on a manual clock over one check
 * `db` whose runs wait until the test calls `hold.open()`, so no result exists
 * yet; and a handler over it. The test opens the hold and closes the Health.
 */
export function awaitingFirstResult() {
  const clock = new ManualClock();
  const db = controlled("db", clock);
  const hold = gate();
  db.state.gate = hold.promise;
  const health = new Health({
    checks: [db.check],
    ttl: 60_000,
    poolSize: 1,
    mode: "background",
    clock,
  });
  return { db, hold, health, handler: createHandler(health) };
}

/** Every check's status over `results`, as `/health` would show them. */
export function aggregate(results: RunResult[], timestamp: string, at: number): HealthStatus {
  const entries = results.map((r) => ({
    check: { name: r.name, critical: r.critical, groups: ["ready" as const] },
    state: {
      view: {
        ...r,
        lastOutcome: r.status,
        consecutiveFailures: r.status === "DOWN" ? 1 : 0,
        consecutiveSuccesses: r.status === "UP" ? 1 : 0,
      },
    },
  }));
  const flags = { draining: false, startedLatched: true, configProblem: undefined };
  return summarize(entries, "all", flags, at, timestamp);
}

/** A tcp check's result of one run, taking 1.5 ms, checked at {@link STAMP}. */
export function result(
  name: string,
  status: "UP" | "DOWN",
  message: string,
  critical = true,
): RunResult {
  return { name, type: "tcp", status, critical, durationMs: 1.5, message, checkedAt: STAMP };
}
