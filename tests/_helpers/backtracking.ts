/**
 * A catastrophically backtracking pattern and text for it, sized by
 * measurement on this runtime and machine, for the tests of the regex pool
 * and of an http check's `bodyMatches` that must not stall vitals.
 *
 * @module
 */

/** Backtracking, exponential in the length of the text it fails on. */
export const SLOW_PATTERN = "^(a+)+$";

/**
 * Text on which {@link SLOW_PATTERN} takes about `ms` milliseconds on this
 * runtime and machine: each further "a" doubles the time, so one short
 * measurement on the main thread says how many to use (Deno's regexes are
 * several times slower than Bun's here).
 */
export function slowText(ms: number): string {
  const text = (n: number) => "a".repeat(n) + "b";
  const pattern = new RegExp(SLOW_PATTERN);
  let n = 14;
  let took = 0;
  while (took < 5) {
    n++;
    const started = performance.now();
    pattern.test(text(n));
    took = performance.now() - started;
  }
  return text(n + Math.max(0, Math.round(Math.log2(ms / took))));
}
