/**
 * Durations as written in the config: a whole number of milliseconds, or a
 * number with a unit (`250ms`, `5s`, `1.5m`, `1h`).
 *
 * @module
 */

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

/**
 * Parses a duration into milliseconds, or returns `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./duration.ts";
 * assert.equal(parseDuration("250ms"), 250);
 * assert.equal(parseDuration("1.5s"), 1500);
 * assert.equal(parseDuration(30000), 30000);
 * assert.equal(parseDuration("5"), undefined); // a string needs a unit
 * ```
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  if (typeof value !== "string") return undefined;
  const match = PATTERN.exec(value.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNITS[match[2] ?? ""] ?? Number.NaN);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}
