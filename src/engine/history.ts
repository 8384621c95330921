/**
 * A check's recent history in fixed memory: a ring of its last
 * {@link RESULT_CAPACITY} results (status, duration, time) and one of its last
 * {@link CHANGE_CAPACITY} changes of counted status. Both live in typed arrays
 * allocated once, so the memory a check's history takes never grows however
 * long vitals runs: {@link HISTORY_BYTES} bytes of data per check
 * (BENCHMARKS.md, "Scale": RSS per check).
 *
 * The check registry owns one per check definition and records every run.
 *
 * @module
 */

import type { Status } from "../types.ts";

/** How many results a check's history keeps. */
export const RESULT_CAPACITY = 100;

/** How many changes of counted status a check's history keeps. */
export const CHANGE_CAPACITY = 20;

/**
 * The bytes of data one check's history holds, allocated when it is made:
 * per result a status byte, a 32-bit duration and a 64-bit time (13 bytes);
 * per change two status bytes and a 64-bit time (10 bytes): 1,500 bytes in
 * three typed arrays, whose object headers add about 0.6 KB: about 2.2 KB per
 * check on Deno and on Bun, as tests/engine/history.test.ts measures.
 */
export const HISTORY_BYTES = RESULT_CAPACITY * (1 + 4 + 8) + CHANGE_CAPACITY * (1 + 1 + 8);

/** Status codes in the arrays; 0 is "none" (a check's first change has no `from`). */
const CODES: readonly (Status | null)[] = [null, "UP", "WARN", "DOWN"];
const codeOf = (status: Status): number => CODES.indexOf(status);
/** Where the changes' `from` and `to` codes start in the codes array. */
const FROM = RESULT_CAPACITY;
const TO = RESULT_CAPACITY + CHANGE_CAPACITY;

/** One recorded run. */
export interface HistoryResult {
  readonly status: Status;
  /** How long the run took, in milliseconds. */
  readonly durationMs: number;
  /** When the result became known (Unix ms, wall clock). */
  readonly at: number;
}

/** One change of a check's counted status; the first result counts as a change from `null`. */
export interface HistoryChange {
  readonly from: Status | null;
  readonly to: Status;
  /** When the change happened (Unix ms, wall clock). */
  readonly at: number;
}

/**
 * The rings of one check.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CheckHistory } from "./history.ts";
 * const history = new CheckHistory();
 * history.record("UP", "UP", 1.5, 1_000);
 * history.record("DOWN", "DOWN", 2, 2_000);
 * assert.deepEqual(history.results().map((r) => r.status), ["UP", "DOWN"]);
 * assert.deepEqual(history.changes().at(-1), { from: "UP", to: "DOWN", at: 2_000 });
 * assert.equal(history.lastChangeAt, 2_000);
 * ```
 */
export class CheckHistory {
  /** Times (Unix ms): results in [0, 100), changes after them. */
  readonly #times = new Float64Array(RESULT_CAPACITY + CHANGE_CAPACITY);
  readonly #duration = new Float32Array(RESULT_CAPACITY);
  /** Status codes: results in [0, 100), then each change's `from` and `to`. */
  readonly #codes = new Uint8Array(RESULT_CAPACITY + 2 * CHANGE_CAPACITY);
  /** Results recorded so far (all of them, not only those kept). */
  #results = 0;
  #changes = 0;
  /** The counted status after the last record; 0 before the first. */
  #counted = 0;

  /**
   * Records one run: its raw `outcome`, the check's `counted` status after it
   * (which differs while a change is damped by the thresholds), its duration
   * and when it ended (Unix ms).
   */
  record(outcome: Status, counted: Status, durationMs: number, at: number): void {
    const slot = this.#results % RESULT_CAPACITY;
    this.#codes[slot] = codeOf(outcome);
    this.#duration[slot] = durationMs;
    this.#times[slot] = at;
    this.#results++;
    const code = codeOf(counted);
    if (code !== this.#counted) {
      const change = this.#changes % CHANGE_CAPACITY;
      this.#codes[FROM + change] = this.#counted;
      this.#codes[TO + change] = code;
      this.#times[RESULT_CAPACITY + change] = at;
      this.#changes++;
      this.#counted = code;
    }
  }

  /** How many results are kept (at most {@link RESULT_CAPACITY}). */
  get length(): number {
    return Math.min(this.#results, RESULT_CAPACITY);
  }

  /** How many results were recorded in all. */
  get recorded(): number {
    return this.#results;
  }

  /** When the counted status last changed (Unix ms); `undefined` before the first result. */
  get lastChangeAt(): number | undefined {
    return this.#changes === 0
      ? undefined
      : this.#times[RESULT_CAPACITY + (this.#changes - 1) % CHANGE_CAPACITY];
  }

  /** The kept results, oldest first. */
  results(): HistoryResult[] {
    const count = this.length;
    const first = this.#results - count;
    return Array.from({ length: count }, (_, i) => {
      const slot = (first + i) % RESULT_CAPACITY;
      return {
        status: CODES[this.#codes[slot]!] as Status,
        // Float32 holds about 7 digits: round to the one decimal durations carry.
        durationMs: Math.round(this.#duration[slot]! * 10) / 10,
        at: this.#times[slot]!,
      };
    });
  }

  /** The kept changes of counted status, oldest first. */
  changes(): HistoryChange[] {
    const count = Math.min(this.#changes, CHANGE_CAPACITY);
    const first = this.#changes - count;
    return Array.from({ length: count }, (_, i) => {
      const slot = (first + i) % CHANGE_CAPACITY;
      return {
        from: CODES[this.#codes[FROM + slot]!]!,
        to: CODES[this.#codes[TO + slot]!] as Status,
        at: this.#times[RESULT_CAPACITY + slot]!,
      };
    });
  }
}
