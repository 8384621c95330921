/**
 * The source files of src/platform/_net/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/platform/_net/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "connect_once.ts": "tests/checks/tcp.test.ts",
};
