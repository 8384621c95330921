/**
 * The source files of src/grpc/client/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/grpc/client/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "_call_outcome.ts": "tests/checks/grpc.test.ts",
  "health_client.ts": "tests/checks/grpc.test.ts, tests/scenarios/grpc_sessions.test.ts",
};
