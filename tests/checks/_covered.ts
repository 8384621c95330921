/**
 * The source files of src/checks/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/checks/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "http_read.ts": "tests/checks/http.test.ts, tests/checks/tabbyapi.test.ts",
  "_json_conditions.ts": "tests/checks/_http_conditions.test.ts",
  "_tls.ts": "tests/scenarios/external/tls.test.ts",
  "check.ts": "tests/checks/runner.test.ts, tests/checks/command.test.ts",
  "create_check.ts":
    "tests/checks/command.test.ts, tests/checks/file.test.ts, tests/checks/http.test.ts, tests/checks/tcp.test.ts",
};
