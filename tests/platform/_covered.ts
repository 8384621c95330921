/**
 * The source files of src/platform/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/platform/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "bun.ts": "tests/checks/command.test.ts, tests/checks/file.test.ts, tests/checks/tcp.test.ts",
  "deno.ts": "tests/checks/command.test.ts, tests/checks/file.test.ts, tests/checks/tcp.test.ts",
  "early.ts": "tests/e2e/faults.test.ts",
  "mod.ts": "tests/checks/file.test.ts, tests/checks/command.test.ts",
  "platform.ts": "tests/platform/_http1/http1_server.test.ts",
  "platform_error.ts": "tests/platform/_node/read_capped.test.ts, tests/config/load.test.ts",
};
