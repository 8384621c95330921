/**
 * The source files of src/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "callback_error.ts": "tests/cli/signals.test.ts",
  "clock.ts":
    "tests/checks/_deadlines.test.ts, tests/engine/scheduler.test.ts, tests/engine/health_background.test.ts",
  "types.ts": "tests/config/load_fuzz.test.ts, tests/scenarios/health_scopes.test.ts",
};
