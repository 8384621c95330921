/**
 * The source files of src/platform/_process/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/platform/_process/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "drain_into.ts": "tests/checks/command.test.ts",
  "node_sync.ts": "tests/platform/_process/reap.test.ts",
  "output_buffers.ts": "tests/checks/command.test.ts, tests/checks/_command_nagios.test.ts",
  "proc_readers.ts":
    "tests/platform/_process/reap.test.ts, tests/checks/command_containment.test.ts",
  "supervise.ts": "tests/checks/command.test.ts",
};
