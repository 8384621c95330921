/**
 * The source files of src/grpc/server/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/grpc/server/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "_health_calls.ts": "tests/grpc/server/health_server.test.ts",
  "_watch.ts": "tests/grpc/server/health_server.test.ts",
};
