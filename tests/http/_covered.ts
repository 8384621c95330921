/**
 * The source files of src/http/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/http/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "_metrics_llm.ts": "tests/http/metrics_llm.test.ts",
  "_page_history.ts": "tests/http/page.test.ts",
  "_page_script.ts": "tests/http/page.test.ts, tests/e2e/page_browser.test.ts",
  "_page_style.ts": "tests/http/page.test.ts",
  "_prepared.ts": "tests/http/handler.test.ts",
  "_respond.ts": "tests/http/handler.test.ts, tests/http/handler_requests.test.ts",
  "_route.ts": "tests/http/handler.test.ts",
};
