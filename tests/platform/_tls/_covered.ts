/**
 * The source files of src/platform/_tls/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/platform/_tls/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "client_tls_types.ts": "tests/platform/_node/fetch.test.ts, tests/checks/tcp.test.ts",
  "server_tls_options.ts":
    "tests/platform/_tls/serve_tls.test.ts, tests/platform/_tls/secure_http2.test.ts",
  "tls_conn.ts": "tests/platform/_tls/serve_tls.test.ts, tests/platform/_tls/tls_listener.test.ts",
};
