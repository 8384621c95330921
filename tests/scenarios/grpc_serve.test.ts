// `vitals serve` with server.grpc, as a child process on the runtime under
// test: it serves Check on its own port beside HTTP, turns ready NOT_SERVING
// on SIGTERM and closes the port; a taken gRPC port exits 1 saying so.

import assert from "node:assert/strict";
import * as http2 from "node:http2";
import type * as net from "node:net";
import { describe, test } from "node:test";
import { tempFile } from "../_helpers/files.ts";
import { callCheck, NOT_SERVING, SERVING } from "../_helpers/grpc_client.ts";
import { serveConfig, signal, start, stop, waitForLog } from "../_helpers/processes.ts";

describe("vitals serve with server.grpc", () => {
  test(
    "serves Check on its own port beside HTTP, turns ready NOT_SERVING on SIGTERM, then closes the port",
    {
      timeout: 30_000,
    },
    async () => {
      const vitals = await serveConfig(
        "grpc_serve.yaml",
        `server: {grpc: {port: 0}, drainDelay: 1s}
checks:
  - {name: ok, type: command, command: ["true"], groups: [live, ready, started]}
`,
      );
      try {
        const port = Number(
          (await waitForLog(vitals, /serving grpc\.health\.v1 on 127\.0\.0\.1:(\d+) \(h2c\)/))[1],
        );
        for (const service of ["", "live", "ready", "started"]) {
          assert.equal(await callCheck(port, service), SERVING, service);
        }
        signal(vitals, "SIGTERM");
        await waitForLog(vitals, /readiness is DOWN/);
        assert.equal(await callCheck(port, "ready"), NOT_SERVING);
        assert.equal(await callCheck(port, "live"), SERVING);
        assert.equal(await vitals.exited, 0);
        await assert.rejects(callCheck(port, "live"), "the gRPC port is closed");
      } finally {
        await stop(vitals);
      }
    },
  );

  test(
    "a taken gRPC port exits 1 saying so, as a taken HTTP port does",
    { timeout: 30_000 },
    async () => {
      const taken = http2.createServer();
      await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
      const port = (taken.address() as net.AddressInfo).port;
      try {
        const { path } = await tempFile(
          "grpc_taken.yaml",
          `server: {grpc: {port: ${port}}}\nchecks: [{name: ok, type: command, command: ["true"]}]\n`,
        );
        const vitals = start(["serve", "--config", path, "--host", "127.0.0.1", "--port", "0"]);
        assert.equal(await vitals.exited, 1);
        assert.match(
          vitals.stderr,
          new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`),
        );
      } finally {
        await new Promise<void>((resolve) => taken.close(() => resolve()));
      }
    },
  );
});
