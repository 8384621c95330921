/**
 * The source files of src/app/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/app/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "reloader.ts":
    "tests/http/handler_access.test.ts, tests/scenarios/external/tls.test.ts, tests/e2e/serve_reload.test.ts",
};
