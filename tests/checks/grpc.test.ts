// The grpc check (src/checks/grpc.ts, calling src/grpc/client/health_client.ts)
// against vitals' own gRPC server on 127.0.0.1 and against stand-ins that
// answer errors, never answer, reset the stream or are not gRPC at all; and
// its config: defaults, reserved metadata names, metadata as secrets, TLS.

import assert from "node:assert/strict";
import * as http2 from "node:http2";
import * as net from "node:net";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../src/config/load.ts";
import type { CheckConfig } from "../../src/config/resolve.ts";
import { isSecretPath, secretsOf } from "../../src/config/secrets.ts";
import { Health } from "../../src/engine/health.ts";
import { serveGrpcHealth } from "../../src/grpc/server/health_server.ts";
import type { RunningServer } from "../../src/platform/platform.ts";
import { controlled, REFUSED, runCheck, UP } from "../_helpers/checks.ts";
import { CHECK } from "../_helpers/grpc_client.ts";
import { platform } from "../_helpers/platform.ts";
import { closedPort } from "../_helpers/servers.ts";
import { eventually, sleep } from "../_helpers/waits.ts";

/** A stand-in gRPC server that answers every call with `answer`, recording the request headers. */
async function standIn(answer: (stream: http2.ServerHttp2Stream) => void) {
  const seen: http2.IncomingHttpHeaders[] = [];
  const server = http2.createServer();
  server.on("stream", (stream, headers) => {
    seen.push(headers);
    stream.on("error", () => {});
    stream.on("data", () => {});
    stream.on("end", () => answer(stream));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function grpcCheck(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: "grpc", host: "127.0.0.1", port, service: "", ...extra };
}

describe("the grpc check", () => {
  const live = controlled("l", undefined, { groups: ["live"] });
  const ready = controlled("r", undefined, { groups: ["ready"] });
  let health: Health;
  let server: RunningServer;
  before(async () => {
    health = new Health({ checks: [live.check, ready.check], ttl: 50, poolSize: 4 });
    await health.start();
    server = await serveGrpcHealth({ hostname: "127.0.0.1", port: 0, health, platform });
  });
  after(async () => {
    await server.shutdown(0);
    health.close();
  });

  test("SERVING is UP; NOT_SERVING is DOWN naming the service", async () => {
    const upResult = await runCheck(grpcCheck(server.port, { service: "ready" }));
    assert.equal(upResult.status, "UP");
    assert.equal(upResult.message, "SERVING");
    ready.state.outcome = REFUSED;
    try {
      await sleep(60);
      const downResult = await runCheck(grpcCheck(server.port, { service: "ready" }));
      assert.equal(downResult.status, "DOWN");
      assert.equal(downResult.message, 'NOT_SERVING for service "ready"');
    } finally {
      ready.state.outcome = UP;
    }
  });

  test("an unknown service is DOWN with NOT_FOUND and the server's message", async () => {
    const result = await runCheck(grpcCheck(server.port, { service: "db" }));
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /^NOT_FOUND: Unknown service "db": .* for service "db"$/);
  });

  test("a gRPC error status is DOWN with its code name and grpc-message; metadata is sent and masked", async () => {
    const peer = await standIn((stream) =>
      stream.respond({
        ":status": 200,
        "content-type": "application/grpc",
        "grpc-status": "14",
        "grpc-message": "backend%20down%3A%20token%20s3cr3t-token",
      }, { endStream: true })
    );
    try {
      const result = await runCheck(
        grpcCheck(peer.port, { metadata: { Authorization: "Bearer s3cr3t-token", "x-team": "a" } }),
      );
      assert.equal(result.status, "DOWN");
      assert.equal(result.message, "UNAVAILABLE: backend down: token ***");
      assert.equal(peer.seen[0]?.["authorization"], "Bearer s3cr3t-token");
      assert.equal(peer.seen[0]?.["x-team"], "a");
      assert.equal(peer.seen[0]?.[":path"], CHECK);
      assert.equal(peer.seen[0]?.["te"], "trailers");
    } finally {
      await peer.close();
    }
  });

  test("a server without the health service (UNIMPLEMENTED) and one answering HTTP 404 are DOWN as UNIMPLEMENTED", async () => {
    const grpcError = await standIn((stream) =>
      stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12" }, {
        endStream: true,
      })
    );
    const http404 = await standIn((stream) =>
      stream.respond({ ":status": 404 }, { endStream: true })
    );
    try {
      assert.equal((await runCheck(grpcCheck(grpcError.port))).message, "UNIMPLEMENTED");
      assert.equal(
        (await runCheck(grpcCheck(http404.port))).message,
        "UNIMPLEMENTED: the peer answered HTTP 404 with no content-type, not gRPC",
      );
    } finally {
      await grpcError.close();
      await http404.close();
    }
  });

  test("a stream reset before any answer, the connection left up, is DOWN as a reset stream", async () => {
    const reset = await standIn((stream) => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM));
    try {
      const result = await runCheck(grpcCheck(reset.port));
      assert.equal(result.status, "DOWN");
      // The code as the runtime reports it (Bun's in-process server sends 0).
      assert.match(
        result.message,
        /^INTERNAL: stream closed before a response, HTTP\/2 error code \d+$/,
      );
    } finally {
      await reset.close();
    }
  });

  test("a closed port is DOWN with connection refused", async () => {
    const port = await closedPort();
    const result = await runCheck(grpcCheck(port));
    assert.equal(result.status, "DOWN");
    assert.equal(
      result.message,
      `gRPC health check of 127.0.0.1:${port} failed: connection refused`,
    );
  });

  test("a peer that accepts and never answers is cut at the timeout", async () => {
    const sockets = new Set<net.Socket>();
    let peerClosed = 0;
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => peerClosed++);
      socket.resume(); // read (and drop) the client's preface, so its close is seen
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const start = performance.now();
      const result = await runCheck(grpcCheck(port, { timeout: 300 }));
      const took = performance.now() - start;
      assert.equal(result.status, "DOWN");
      assert.equal(result.message, "timed out after 300 ms");
      assert.ok(took < 1000, `cut at the timeout, took ${took} ms`);
      // The session was destroyed: the peer sees its connection close.
      assert.ok(await eventually(() => peerClosed === sockets.size && sockets.size === 1));
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test("an answer that is not gRPC is DOWN saying so, its HTTP status mapped as gRPC maps it, whatever it claims", async () => {
    const plain = await standIn((stream) =>
      stream.respond({ ":status": 200, "content-type": "text/plain" }, { endStream: true })
    );
    // A grpc-status in a response that is not application/grpc does not make it gRPC.
    const unavailable = await standIn((stream) => {
      stream.respond({ ":status": 503, "content-type": "text/html", "grpc-status": "0" });
      stream.end("<html>down</html>");
    });
    // gRPC content type, no grpc-status: the HTTP status is all there is.
    const bare = await standIn((stream) =>
      stream.respond({ ":status": 429, "content-type": "application/grpc" }, { endStream: true })
    );
    try {
      const result = await runCheck(grpcCheck(plain.port));
      assert.equal(result.status, "DOWN");
      assert.equal(
        result.message,
        'UNKNOWN: the peer answered HTTP 200 with content-type "text/plain", not gRPC',
      );
      assert.equal(
        (await runCheck(grpcCheck(unavailable.port))).message,
        'UNAVAILABLE: the peer answered HTTP 503 with content-type "text/html", not gRPC',
      );
      assert.equal(
        (await runCheck(grpcCheck(bare.port))).message,
        "UNAVAILABLE: the peer answered HTTP 429 without a grpc-status",
      );
    } finally {
      await plain.close();
      await unavailable.close();
      await bare.close();
    }
  });
});

describe("grpc config", () => {
  test('a grpc check defaults host to 127.0.0.1 and service to ""; server.grpc is off unless set', () => {
    const config = parseConfig("checks: [{name: g, type: grpc, port: 50051}]", "g.yaml", {});
    const check = config.checks[0] as CheckConfig & { type: "grpc" };
    assert.equal(check.host, "127.0.0.1");
    assert.equal(check.service, "");
    assert.equal(config.server.grpc, undefined);
    const served = parseConfig(
      "server: {grpc: {port: 9090}}\nchecks: [{name: g, type: grpc, port: 50051}]",
      "g.yaml",
      {},
    );
    assert.deepEqual(served.server.grpc, { port: 9090 });
  });

  test("metadata may not set headers gRPC and HTTP/2 reserve", () => {
    for (const name of ["grpc-timeout", "content-type", "TE", "connection"]) {
      assert.throws(
        () =>
          parseConfig(
            `checks: [{name: g, type: grpc, port: 1, metadata: {${name}: x}}]`,
            "g.yaml",
            {},
          ),
        /metadata: expected metadata names other than grpc-\*/,
        name,
      );
    }
  });

  test("metadata values are secrets", () => {
    assert.ok(isSecretPath(["checks", 0, "metadata", "authorization"]));
    const config = parseConfig(
      "checks: [{name: g, type: grpc, port: 1, metadata: {authorization: Bearer abc123}}]",
      "g.yaml",
      {},
    );
    assert.deepEqual(secretsOf(config.checks[0]!), ["Bearer abc123", "abc123"]);
  });

  test("tls: true in the config means TLS with the defaults", () => {
    const config = parseConfig("checks: [{name: g, type: grpc, port: 1, tls: true}]", "g.yaml", {});
    assert.deepEqual(config.checks[0]!.type === "grpc" && config.checks[0]!.tls, {
      insecureSkipVerify: false,
    });
  });
});
