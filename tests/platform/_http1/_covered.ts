/**
 * The source files of src/platform/_http1/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/platform/_http1/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "bun_connection.ts": "tests/platform/_http1/http1_server.test.ts",
  "bun_server.ts": "tests/platform/_http1/http1_server.test.ts",
  "codec.ts": "tests/platform/_http1/http1_server.test.ts",
  "connection_limit.ts": "tests/http/handler_requests.test.ts",
  "lazy_http1.ts": "tests/http/handler_requests.test.ts, tests/checks/http.test.ts",
  "open_connections.ts": "tests/platform/_http1/http1_server.test.ts",
  "wire_cache.ts": "tests/platform/_http1/http1_server.test.ts",
};
