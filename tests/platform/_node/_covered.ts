/**
 * The source files of src/platform/_node/ that have no test file of their own, each with
 * the test files that exercise it (paths from the repository root).
 * tests/scenarios/layout.test.ts checks that every source file has its own
 * test or an entry here, and that every file named here exists.
 *
 * @module
 */

/** File name in src/platform/_node/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "body.ts": "tests/platform/_node/fetch.test.ts, tests/scenarios/external/body_bridge.test.ts",
  "http2.ts": "tests/checks/grpc.test.ts, tests/grpc/server/health_server.test.ts",
  "http2_api.ts":
    "tests/grpc/server/health_server.test.ts, tests/platform/_tls/secure_http2.test.ts",
  "node_part.ts": "tests/checks/grpc.test.ts, tests/scenarios/external/tls.test.ts",
  "tls.ts": "tests/scenarios/external/tls.test.ts",
  "tls_dates.ts": "tests/scenarios/external/tls_dates.test.ts",
  "tls_handshake.ts":
    "tests/scenarios/external/tcp_tls.test.ts, tests/scenarios/external/tls.test.ts",
};
