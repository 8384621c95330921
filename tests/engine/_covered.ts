/**
 * The source files of src/engine/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/engine/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "publisher.ts": "tests/engine/health_background.test.ts, tests/engine/summary.test.ts",
  "settings.ts": "tests/engine/health.test.ts, tests/engine/health_on_demand.test.ts",
};
