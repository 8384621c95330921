/**
 * The source files of src/config/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/config/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "_json_schema.ts": "tests/config/schema.test.ts, tests/json_schema.test.ts",
  "_load_worker.ts": "tests/config/load_aside.test.ts",
  "_problems.ts": "tests/config/load_errors.test.ts",
  "_schema_checks.ts": "tests/config/load.test.ts, tests/config/load_errors.test.ts",
  "_schema_llm.ts": "tests/config/_schema_checks_llm.test.ts, tests/checks/llm/deep_probe.test.ts",
  "_schema_response.ts": "tests/checks/_http_conditions.test.ts, tests/config/load_errors.test.ts",
  "_schema_values.ts": "tests/config/load_errors.test.ts, tests/config/secrets.test.ts",
  "_yaml_lines.ts": "tests/config/_yaml_errors.test.ts",
  "error.ts": "tests/config/load_errors.test.ts, tests/config/_yaml_errors.test.ts",
  "limits.ts": "tests/config/load.test.ts",
  "resolve.ts": "tests/config/load.test.ts",
};
