/**
 * The source files of src/checks/llm/ that have no test file of their own, each
 * with the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/checks/llm/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "generation.ts": "tests/scenarios/external/llm_deep_probe.test.ts",
  "metrics_page.ts":
    "tests/scenarios/external/llm_deep_probe_traffic.test.ts, tests/config/_schema_llm_stall.test.ts",
  "look.ts": "tests/checks/llm/verdicts.test.ts, tests/checks/llm/presets/preset.test.ts",
  "request.ts":
    "tests/scenarios/external/llm_presets.test.ts, tests/scenarios/external/llm_deep_probe_traffic.test.ts",
  "stall_watch.ts":
    "tests/scenarios/external/llm_stall_check.test.ts, tests/config/_schema_llm_stall.test.ts",
  "stall_metrics.ts": "tests/checks/llm/stall.test.ts, tests/scenarios/external/llm_stall.test.ts",
};
