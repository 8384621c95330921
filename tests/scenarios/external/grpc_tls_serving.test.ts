// vitals' gRPC health server over TLS (src/grpc/server/health_server.ts with
// `tls`, on Http2Api.createSecureServer, src/platform/_tls/secure_http2.ts),
// on the runtime under test, read by grpc-go (tests/fixtures/
// grpc_health_client.go with -cacert, -cert and -key, ALPN h2 as grpc-go
// insists): Check over TLS, mutual TLS required and requested, a plaintext
// grpc-go client refused without harm, and setTls changing the certificate
// new connections see while grpc-go goes on reading. Without Go, grpc-go,
// openssl or curl the tests skip and say why.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { serveGrpcHealth } from "../../../src/grpc/server/health_server.ts";
import type { RunningServer, ServerTls } from "../../../src/platform/platform.ts";
import type { HealthStatus } from "../../../src/types.ts";
import { missingOpenssl } from "../../_helpers/certs.ts";
import { buildGo, missingGo } from "../../_helpers/grpc_go.ts";
import { platform } from "../../_helpers/platform.ts";
import { missingTool } from "../../_helpers/tools.ts";
import { curlTls, serialOf, servedSerial, sharedPemSet } from "../../_helpers/tls_peers.ts";

const missing = missingGo("the gRPC TLS serving tests") ||
  missingOpenssl("the gRPC TLS serving tests") ||
  missingTool("the gRPC TLS serving tests", "curl", ["--version"]);
const skip = { skip: missing };

// Built at load time, not in a hook (a first build takes about 40 s).
const client = missing ? "" : await buildGo("grpc_health_client");

const certs = sharedPemSet;

/** Serves gRPC health over TLS; `set` changes what every scope reports. */
async function serving(over: Partial<ServerTls> = {}): Promise<{
  server: RunningServer;
  set(status: HealthStatus["status"]): void;
}> {
  const pem = await certs();
  let current: HealthStatus = {
    status: "UP",
    timestamp: new Date().toISOString(),
    details: [],
    checks: [],
    computedAt: performance.now(),
  };
  const server = await serveGrpcHealth({
    hostname: "127.0.0.1",
    port: 0,
    platform,
    health: { peek: () => current, status: () => Promise.resolve(current) },
    tls: { cert: pem.pem("leaf"), key: pem.pem("leafKey"), minVersion: "TLSv1.2", ...over },
  });
  return { server, set: (status) => current = { ...current, status } };
}

/** grpc-go's Check of `service` on `port`, with `flags`: its exit code and what it printed. */
function check(
  port: number,
  service: string,
  ...flags: string[]
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      client,
      ["-addr", `127.0.0.1:${port}`, "-service", service, "-timeout", "3s", ...flags],
      (error, stdout) =>
        resolve({ code: error ? Number(error.code ?? -1) : 0, out: stdout.trim() }),
    );
  });
}

async function trusting(): Promise<string[]> {
  return ["-cacert", (await certs()).files.ca];
}

async function withClientCert(): Promise<string[]> {
  const set = await certs();
  return [...await trusting(), "-cert", set.files.client, "-key", set.files.clientKey];
}

test("grpc-go reads grpc.health.v1 over TLS: SERVING, then NOT_SERVING", skip, async () => {
  const { server, set } = await serving();
  try {
    assert.deepEqual(await check(server.port, "", ...await trusting()), {
      code: 0,
      out: "SERVING",
    });
    set("DOWN");
    assert.deepEqual(await check(server.port, "ready", ...await trusting()), {
      code: 1,
      out: "NOT_SERVING",
    });
    assert.equal(await servedSerial(server.port, "h2"), serialOf((await certs()).files.leaf));
  } finally {
    await server.shutdown(1000);
  }
});

test(
  "a plaintext grpc-go client gets nothing from the TLS port, and the port goes on",
  skip,
  async () => {
    const { server } = await serving();
    try {
      const plain = await check(server.port, "");
      assert.equal(plain.code, 2);
      assert.match(plain.out, /^error /);
      assert.deepEqual(await check(server.port, "", ...await trusting()), {
        code: 0,
        out: "SERVING",
      });
    } finally {
      await server.shutdown(1000);
    }
  },
);

test(
  'clientAuth "require": grpc-go without a certificate is refused, with a CA-signed one served',
  skip,
  async () => {
    const { server } = await serving({
      clientCa: (await certs()).pem("ca"),
      clientAuth: "require",
    });
    try {
      const without = await check(server.port, "", ...await trusting());
      assert.equal(without.code, 2);
      assert.match(without.out, /^error (Unavailable|DeadlineExceeded|connect)/);
      assert.deepEqual(await check(server.port, "", ...await withClientCert()), {
        code: 0,
        out: "SERVING",
      });
    } finally {
      await server.shutdown(1000);
    }
  },
);

test(
  'clientAuth "request": grpc-go with or without a certificate is served, curl with another CA\'s refused',
  skip,
  async () => {
    const set = await certs();
    const { server } = await serving({ clientCa: set.pem("ca"), clientAuth: "request" });
    try {
      assert.deepEqual(await check(server.port, "", ...await trusting()), {
        code: 0,
        out: "SERVING",
      });
      assert.deepEqual(await check(server.port, "", ...await withClientCert()), {
        code: 0,
        out: "SERVING",
      });
      // grpc-go sends no certificate the server's CA list does not name, so curl presents the rogue one.
      const rogue = await curlTls(server.port, [
        ...[
          "--http2",
          "--cacert",
          set.files.ca,
          "--cert",
          set.files.rogueLeaf,
          "--key",
          set.files.rogueKey,
        ],
        ...["-X", "POST", "-H", "content-type: application/grpc", "-w", "%{http_code}"],
      ], "/grpc.health.v1.Health/Check");
      assert.notEqual(rogue.code, 0, rogue.stdout);
      assert.deepEqual(await check(server.port, "", ...await trusting()), {
        code: 0,
        out: "SERVING",
      });
    } finally {
      await server.shutdown(1000);
    }
  },
);

test(
  "setTls: new connections get the new certificate, grpc-go goes on; a broken pair changes nothing",
  skip,
  async () => {
    const set = await certs();
    const { server } = await serving();
    try {
      const renewed = server.setTls!({
        cert: set.pem("expiring"),
        key: set.pem("leafKey"),
        minVersion: "TLSv1.2",
      });
      assert.equal(renewed.serial, serialOf(set.files.expiring));
      assert.equal(await servedSerial(server.port, "h2"), renewed.serial);
      assert.deepEqual(await check(server.port, "", ...await trusting()), {
        code: 0,
        out: "SERVING",
      });
      assert.throws(
        () =>
          server.setTls!({
            cert: set.pem("leaf"),
            key: set.pem("clientKey"),
            minVersion: "TLSv1.2",
          }),
        TypeError,
      );
      assert.equal(await servedSerial(server.port, "h2"), renewed.serial);
      assert.deepEqual(await check(server.port, "", ...await trusting()), {
        code: 0,
        out: "SERVING",
      });
    } finally {
      await server.shutdown(1000);
    }
  },
);
