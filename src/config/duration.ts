/**
 * Durations as written in the config: a whole number of milliseconds, or a
 * number with a unit (`250ms`, `5s`, `1.5m`, `1h`); and durations as messages
 * show them (`3m12s`).
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

/**
 * Writes milliseconds as a person reads a duration: `250ms`, `1.5s`, `45s`,
 * `3m12s`, `1h5m`. Below a minute, seconds keep one decimal; from a minute on,
 * whole seconds; parts that are zero are left out. Always rounded down.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./duration.ts";
 * assert.equal(formatDuration(250), "250ms");
 * assert.equal(formatDuration(1_500), "1.5s");
 * assert.equal(formatDuration(192_400), "3m12s");
 * assert.equal(formatDuration(60_000), "1m");
 * assert.equal(formatDuration(3_605_000), "1h5s");
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.floor(ms))}ms`;
  if (ms < 60_000) return `${Math.floor(ms / 100) / 10}s`;
  const seconds = Math.floor(ms / 1_000);
  const parts: [number, string][] = [
    [Math.floor(seconds / 3_600), "h"],
    [Math.floor(seconds / 60) % 60, "m"],
    [seconds % 60, "s"],
  ];
  return parts.filter(([value]) => value > 0).map(([value, unit]) => `${value}${unit}`).join("");
}
