/**
 * Durations as written in the config and on the command line: one or more
 * numbers each with a unit (`250ms`, `5s`, `1.5m`, `1h`, `1m30s`), much as
 * Go's time.ParseDuration reads them, or a bare `0`; and durations as
 * messages show them (`3m12s`). A bare number other than 0 is never a
 * duration: `5` could mean 5 seconds or 5 milliseconds, so the message for it
 * shows both (`write 5s or 5ms`). Certificate windows, which run to weeks,
 * also take days (`14d`) when asked for with {@link DurationOptions.days}.
 *
 * @module
 */

/** A day in milliseconds. */
const DAY_MS = 86_400_000;
const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DAY_UNITS: Readonly<Record<string, number>> = { ...UNITS, d: DAY_MS };

/** How the duration functions read and write durations. */
export interface DurationOptions {
  /**
   * Also days (`d`, 24 hours): only for certificate windows (`warnBefore`,
   * `downBefore`). Go's durations, and every other key, have no `d`.
   */
  readonly days?: boolean | undefined;
}

const unitsOf = (options?: DurationOptions) => options?.days ? DAY_UNITS : UNITS;
const unitNames = (options?: DurationOptions) =>
  options?.days ? "ms, s, m, h or d" : "ms, s, m or h";
const isUnit = (word: string | undefined, options?: DurationOptions): word is string =>
  word !== undefined && Object.hasOwn(unitsOf(options), word);
const suchAs = (options?: DurationOptions) =>
  options?.days
    ? "expected a duration such as 14d, 36h, 1d12h or 30m"
    : "expected a duration such as 250ms, 5s, 1m30s or 1h";

/** One part of a duration: a number, then its unit, maybe with spaces between. */
const part = (days: boolean) => String.raw`\d+(?:\.\d+)?\s*(?:ms|s|m|h${days ? "|d" : ""})`;
/** Zero, the one number that needs no unit. */
const ZERO = String.raw`0+(?:\.0+)?`;
const pattern = (days: boolean) => new RegExp(`^(?:${ZERO}|${part(days)}(?:\\s*${part(days)})*)$`);

/**
 * A duration as text, as the config and the JSON Schema accept it: one or
 * more parts each with a unit, such as `1m30s` or `1h 30m`, in any order
 * (repeats add up, as in Go), or a bare `0`. No sign, no exponent, and digits
 * on both sides of a decimal point.
 */
export const DURATION_PATTERN: RegExp = pattern(false);

/** {@link DURATION_PATTERN} with days too (`14d`, `1d12h`): certificate windows. */
export const DAYS_DURATION_PATTERN: RegExp = pattern(true);

/** The parts of a duration that matches {@link DURATION_PATTERN} or {@link DAYS_DURATION_PATTERN}. */
const PARTS = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/g;
/** A number as duration text writes it: digits, maybe with a decimal point between digits. */
const NUMBER = /^\d+(?:\.\d+)?$/;

/**
 * Parses a duration into milliseconds, or returns `undefined` when it is not one.
 * Parts add up before the sum is rounded to whole milliseconds. The only
 * number it takes, as a number or as text, is 0: any other needs a unit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./duration.ts";
 * assert.equal(parseDuration("250ms"), 250);
 * assert.equal(parseDuration("1.5s"), 1500);
 * assert.equal(parseDuration("1m30s"), 90_000);
 * assert.equal(parseDuration("1h2m3.5s"), 3_723_500);
 * assert.equal(parseDuration(0), 0); // zero needs no unit
 * assert.equal(parseDuration("0"), 0);
 * assert.equal(parseDuration(30000), undefined); // any other number does
 * assert.equal(parseDuration("5"), undefined);
 * assert.equal(parseDuration("1m30"), undefined); // and so does each of its numbers
 * assert.equal(parseDuration("14d"), undefined); // days only when asked for:
 * assert.equal(parseDuration("1d12h", { days: true }), 129_600_000);
 * ```
 */
export function parseDuration(value: unknown, options?: DurationOptions): number | undefined {
  if (typeof value === "number") return value === 0 ? 0 : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (!(options?.days ? DAYS_DURATION_PATTERN : DURATION_PATTERN).test(text)) return undefined;
  if (NUMBER.test(text)) return 0; // the pattern takes no other bare number
  const units = unitsOf(options);
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PARTS)) {
    ms += Number(amount) * (units[unit ?? ""] ?? Number.NaN);
  }
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** A token of duration text: a run of digits and points, or a run of anything else but spaces. */
const TOKEN = /\s*(?:([\d.]+)|([^\s\d.]+))/y;

/**
 * What to write instead of a bare number: both ways to read it, the likelier
 * first (milliseconds from 1000 on, else seconds, or days for a certificate window).
 */
function bareNumberProblem(number: string, options?: DurationOptions): string {
  const unit = options?.days ? "d" : "s";
  const [first, second] = Number(number) >= 1_000 ? ["ms", unit] : [unit, "ms"];
  return `expected a duration with a unit: write ${number}${first} or ${number}${second}`;
}

/**
 * Why a value is not a duration, as a fragment that a message goes on from;
 * `undefined` when it is one. A bare number other than 0, as a number or as
 * text (from `${VAR}` or a flag), gets both of its readings: `expected a
 * duration with a unit: write 5s or 5ms`. Other text gets `expected a
 * duration such as 250ms, 5s, 1m30s or 1h`, with what is wrong when the text
 * says (`, with a unit (ms, s, m or h) after "30"`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { durationProblem } from "./duration.ts";
 * assert.equal(durationProblem("1m30s"), undefined);
 * assert.equal(durationProblem(0), undefined);
 * assert.equal(durationProblem(5), "expected a duration with a unit: write 5s or 5ms");
 * assert.equal(durationProblem("5"), "expected a duration with a unit: write 5s or 5ms");
 * assert.equal(durationProblem(1500), "expected a duration with a unit: write 1500ms or 1500s");
 * assert.equal(
 *   durationProblem("1m30"),
 *   'expected a duration such as 250ms, 5s, 1m30s or 1h, with a unit (ms, s, m or h) after "30"',
 * );
 * ```
 */
export function durationProblem(
  value: string | number,
  options?: DurationOptions,
): string | undefined {
  if (parseDuration(value, options) !== undefined) return undefined;
  const text = String(value).trim();
  if (NUMBER.test(text)) return bareNumberProblem(text, options);
  const detail = typeof value === "number" && !(value < 0)
    ? undefined // NaN, Infinity, or written with an exponent
    : whatIsWrong(text, options);
  return detail === undefined ? suchAs(options) : `${suchAs(options)}, ${detail}`;
}

/** The first thing wrong in trimmed duration text that does not parse, if it can be named. */
function whatIsWrong(text: string, options?: DurationOptions): string | undefined {
  if (/^[-+]/.test(text)) return "without a sign";
  const needsUnit = (number: string) =>
    `with a unit (${unitNames(options)}) after ${JSON.stringify(number)}`;
  let number: string | undefined; // the number that waits for its unit
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const [, digits, word] = TOKEN.exec(text) ?? [];
    if (number !== undefined) {
      if (!isUnit(word, options)) return needsUnit(number);
      number = undefined;
    } else if (digits !== undefined) {
      if (!NUMBER.test(digits)) {
        return `with a number such as 0.5 or 5 in place of ${JSON.stringify(digits)}`;
      }
      number = digits;
    } else if (isUnit(word, options)) return `with a number before ${JSON.stringify(word)}`;
    else return undefined;
  }
  if (number !== undefined) return needsUnit(number);
  // Every part reads, so the sum is too large for a number.
  return text === "" ? undefined : "short enough to count in milliseconds";
}

/**
 * Writes milliseconds as a person reads a duration: `250ms`, `1.5s`, `45s`,
 * `3m12s`, `1h5m`. Below a minute, seconds keep one decimal; from a minute on,
 * whole seconds; parts that are zero are left out. Always rounded down, and
 * {@link parseDuration} reads every result back (with the same options: with
 * `days`, whole days come first, as in `14d` or `1d12h`).
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
 * assert.equal(formatDuration(1_209_600_000, { days: true }), "14d");
 * ```
 */
export function formatDuration(ms: number, options?: DurationOptions): string {
  if (options?.days && ms >= DAY_MS) {
    const rest = ms % DAY_MS;
    return `${Math.floor(ms / DAY_MS)}d${rest >= 1 ? formatDuration(rest) : ""}`;
  }
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
