/**
 * The source files of src/cli/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/cli/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "flags.ts": "tests/cli/options.test.ts, tests/cli/probe.test.ts",
  "help.ts": "tests/cli/options.test.ts",
  "run.ts": "tests/cli/options.test.ts, tests/cli/probe.test.ts",
  "schema.ts": "tests/e2e/cli.test.ts",
  "served_url.ts": "tests/cli/probe.test.ts, tests/cli/maint.test.ts",
  "serve.ts":
    "tests/e2e/serve.test.ts, tests/e2e/serve_shutdown.test.ts, tests/e2e/serve_reload.test.ts, tests/scenarios/grpc_serve.test.ts",
  "validate.ts": "tests/e2e/validate.test.ts",
};
