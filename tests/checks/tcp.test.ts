// The tcp check (src/checks/tcp.ts): a listening port is UP, a closed port and
// a name that does not resolve are DOWN with the reason. The tcp check with
// `tls` against `openssl s_server` is tests/scenarios/external/tcp_tls.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { CHECK_BASE, runCheck } from "../_helpers/checks.ts";
import { closedPort, startServer } from "../_helpers/servers.ts";

test("tcp connect to a listening port is UP", async () => {
  const server = await startServer(() => new Response("x"));
  try {
    const result = await runCheck({
      ...CHECK_BASE,
      name: "t",
      type: "tcp",
      host: "127.0.0.1",
      port: server.port,
    });
    assert.equal(result.status, "UP");
    assert.equal(result.message, `connected to 127.0.0.1:${server.port}`);
  } finally {
    await server.close();
  }
});

test("tcp connect to a closed port is DOWN: connection refused", async () => {
  const port = await closedPort();
  const result = await runCheck({ ...CHECK_BASE, name: "t", type: "tcp", host: "127.0.0.1", port });
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, `cannot connect to 127.0.0.1:${port}: connection refused`);
});

test("tcp connect to a name that does not resolve is DOWN", async () => {
  const result = await runCheck({
    ...CHECK_BASE,
    name: "t",
    type: "tcp",
    host: "vitals-test.invalid",
    port: 80,
  });
  assert.equal(result.status, "DOWN");
  assert.match(result.message, /cannot connect to vitals-test\.invalid:80: name does not resolve/);
});
