// vitals' gRPC health server (src/grpc/server/health_server.ts, with
// _health_calls.ts and _watch.ts), over real node:http2 sockets on 127.0.0.1,
// on Deno and Bun alike: Check and Watch for every scope, a DOWN check turning
// its scope NOT_SERVING, the stream limit, calls torn down at once, bad input
// answered with the protocol's error, draining and shutdown, a taken port.
// The grpc check kind against this server is in tests/checks/grpc.test.ts;
// tests/scenarios/external/grpc_interop.test.ts runs grpc-go's client (the one
// kubelet's prober is built on) against a served vitals.

import assert from "node:assert/strict";
import * as http2 from "node:http2";
import * as net from "node:net";
import { after, before, describe, test } from "node:test";
import { Health } from "../../../src/engine/health.ts";
import { MAX_REQUEST_BYTES, serveGrpcHealth } from "../../../src/grpc/server/health_server.ts";
import { encodeFrame, GRPC_CODES } from "../../../src/grpc/wire/frame.ts";
import { encodeRequest } from "../../../src/grpc/wire/proto.ts";
import type { RunningServer } from "../../../src/platform/platform.ts";
import { controlled, REFUSED, UP } from "../../_helpers/checks.ts";
import {
  callCheck,
  CHECK,
  messageOf,
  NOT_SERVING,
  openWatch,
  type RawAnswer,
  rawCall,
  SERVICE_UNKNOWN,
  SERVING,
  statusOf,
} from "../../_helpers/grpc_client.ts";
import { platform } from "../../_helpers/platform.ts";
import { eventually, sleep } from "../../_helpers/waits.ts";

describe("vitals' gRPC health server", () => {
  const live = controlled("l", undefined, { groups: ["live"] });
  const ready = controlled("r", undefined, { groups: ["ready"] });
  const started = controlled("s", undefined, { groups: ["started"] });
  const TTL = 100;
  let health: Health;
  let server: RunningServer;

  before(async () => {
    health = new Health({
      checks: [live.check, ready.check, started.check],
      ttl: TTL,
      poolSize: 4,
      maxWait: 900,
    });
    await health.start();
    server = await serveGrpcHealth({
      hostname: "127.0.0.1",
      port: 0,
      health,
      pollInterval: () => 50,
      platform,
    });
  });
  after(async () => {
    await server.shutdown(1000);
    health.close();
  });

  test('Check answers SERVING for "", live, ready and started while their checks are UP', async () => {
    for (const service of ["", "live", "ready", "started"]) {
      assert.equal(await callCheck(server.port, service), SERVING, service);
    }
  });

  test("Check on a service vitals does not know ends with NOT_FOUND (5) and says which names exist", async () => {
    const answer = await rawCall(server.port, CHECK, encodeFrame(encodeRequest("readiness")));
    assert.equal(statusOf(answer), 5);
    assert.match(messageOf(answer), /Unknown service "readiness": expected "", "live", "ready"/);
    assert.equal(answer.messages.length, 0);
  });

  test('a DOWN check makes its scope and "" NOT_SERVING within one ttl, and the others stay SERVING', async () => {
    ready.state.outcome = REFUSED;
    try {
      assert.ok(
        await eventually(async () => await callCheck(server.port, "ready") === NOT_SERVING),
      );
      assert.equal(await callCheck(server.port, ""), NOT_SERVING);
      assert.equal(await callCheck(server.port, "live"), SERVING);
    } finally {
      ready.state.outcome = UP;
    }
    assert.ok(await eventually(async () => await callCheck(server.port, "ready") === SERVING));
  });

  test("Watch sends the status at once, then each change within a refresh, and nothing while it holds", async () => {
    const watch = openWatch(server.port, "live");
    try {
      assert.ok(await eventually(() => watch.seen.length === 1));
      assert.deepEqual(watch.seen, [SERVING]);
      live.state.outcome = REFUSED;
      const flipped = performance.now();
      assert.ok(await eventually(() => watch.seen.length === 2));
      // One ttl for the check to be re-run, one poll to see it, and slack.
      assert.ok(performance.now() - flipped < TTL + 50 + 500, "delivered within a refresh");
      live.state.outcome = UP;
      assert.ok(await eventually(() => watch.seen.length === 3));
      await sleep(3 * TTL);
      assert.deepEqual(watch.seen, [SERVING, NOT_SERVING, SERVING]);
      assert.equal(watch.ended.closed, false, "the stream stays open");
    } finally {
      live.state.outcome = UP;
      watch.cancel();
    }
  });

  test("a connection may hold at most 100 streams at once (SETTINGS_MAX_CONCURRENT_STREAMS), so Watch streams are bounded", async () => {
    const session = http2.connect(`http://127.0.0.1:${server.port}`);
    try {
      const settings = await new Promise<http2.Settings>((resolve) =>
        session.once("remoteSettings", resolve)
      );
      assert.equal(settings.maxConcurrentStreams, 100);
    } finally {
      session.close();
    }
  });

  test("300 calls on connections the client tears down at once: the server keeps serving (Deno's node:http2 used to abort the process)", async () => {
    for (let i = 0; i < 300; i++) {
      const service = ["", "live", "nope"][i % 3]!;
      const answer = await rawCall(server.port, CHECK, encodeFrame(encodeRequest(service)));
      assert.equal(statusOf(answer), service === "nope" ? 5 : 0);
    }
    assert.equal(await callCheck(server.port, "live"), SERVING);
  });

  test("Watch on an unknown service sends SERVICE_UNKNOWN and keeps the stream open", async () => {
    const watch = openWatch(server.port, "nope");
    try {
      assert.ok(await eventually(() => watch.seen.length === 1));
      await sleep(200);
      assert.deepEqual(watch.seen, [SERVICE_UNKNOWN]);
      assert.equal(watch.ended.closed, false);
    } finally {
      watch.cancel();
    }
  });

  describe("bad input gets the protocol's error, and the server keeps serving", () => {
    const cases: [string, () => Promise<RawAnswer>, number, RegExp][] = [
      [
        "a compressed message (no grpc-encoding negotiated): INTERNAL",
        () => rawCall(server.port, CHECK, Uint8Array.of(1, 0, 0, 0, 2, 0x0a, 0)),
        GRPC_CODES.INTERNAL,
        /Compressed message refused/,
      ],
      [
        `a message over ${MAX_REQUEST_BYTES} bytes: RESOURCE_EXHAUSTED`,
        () => rawCall(server.port, CHECK, encodeFrame(encodeRequest("x".repeat(5000)))),
        GRPC_CODES.RESOURCE_EXHAUSTED,
        /5003 bytes, more than the limit of 4096/,
      ],
      [
        "a length that promises 4 GiB: RESOURCE_EXHAUSTED at once",
        () => rawCall(server.port, CHECK, Uint8Array.of(0, 0xff, 0xff, 0xff, 0xff, 0)),
        GRPC_CODES.RESOURCE_EXHAUSTED,
        /more than the limit/,
      ],
      [
        "a frame cut short: INTERNAL",
        () => rawCall(server.port, CHECK, Uint8Array.of(0, 0, 0, 0, 9, 0x0a)),
        GRPC_CODES.INTERNAL,
        /ended 6 bytes into a frame/,
      ],
      [
        "no message at all: INTERNAL",
        () => rawCall(server.port, CHECK, new Uint8Array(0)),
        GRPC_CODES.INTERNAL,
        /got none/,
      ],
      [
        "two messages to a unary method: INTERNAL",
        () =>
          rawCall(
            server.port,
            CHECK,
            Uint8Array.from([...encodeFrame(encodeRequest("")), ...encodeFrame(encodeRequest(""))]),
          ),
        GRPC_CODES.INTERNAL,
        /got more/,
      ],
      [
        "bytes that are not protobuf: INTERNAL",
        () => rawCall(server.port, CHECK, encodeFrame(Uint8Array.of(0x0a, 9, 1))),
        GRPC_CODES.INTERNAL,
        /truncated field/,
      ],
      [
        "an unknown method: UNIMPLEMENTED",
        () => rawCall(server.port, "/grpc.health.v1.Health/List", encodeFrame(new Uint8Array(0))),
        GRPC_CODES.UNIMPLEMENTED,
        /Unknown method "\/grpc.health.v1.Health\/List"/,
      ],
      [
        "a grpc-encoding vitals does not speak: UNIMPLEMENTED",
        () =>
          rawCall(server.port, CHECK, encodeFrame(encodeRequest("")), { "grpc-encoding": "gzip" }),
        GRPC_CODES.UNIMPLEMENTED,
        /Unsupported grpc-encoding "gzip"/,
      ],
    ];
    for (const [name, call, code, message] of cases) {
      test(name, async () => {
        const answer = await call();
        assert.equal(answer.headers[":status"], 200);
        assert.equal(statusOf(answer), code);
        assert.match(messageOf(answer), message);
        assert.equal(await callCheck(server.port, "live"), SERVING, "still serving");
      });
    }

    test("GET is HTTP 405 and a content type other than gRPC's HTTP 415", async () => {
      const get = await rawCall(server.port, CHECK, new Uint8Array(0), { ":method": "GET" });
      assert.equal(get.headers[":status"], 405);
      const json = await rawCall(server.port, CHECK, new Uint8Array(0), {
        "content-type": "application/json",
      });
      assert.equal(json.headers[":status"], 415);
      assert.equal(await callCheck(server.port, "live"), SERVING, "still serving");
    });

    test("HTTP/1.1 to the port: the connection is closed (an HTTP/2 GOAWAY), and the server keeps serving", async () => {
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const socket = net.connect(server.port, "127.0.0.1", () => {
          socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        });
        const chunks: Buffer[] = [];
        socket.on("data", (chunk) => chunks.push(chunk));
        socket.on("error", reject);
        socket.on("close", () => resolve(Buffer.concat(chunks)));
      });
      assert.doesNotMatch(reply.toString("latin1"), /^HTTP\/1/, "no HTTP/1.1 answer");
      // What came back is HTTP/2 frames (9-byte header: length, type, flags, stream), a GOAWAY (7) among them.
      const types: number[] = [];
      for (let at = 0; at + 9 <= reply.length; at += 9 + reply.readUIntBE(at, 3)) {
        types.push(reply[at + 3]!);
      }
      assert.ok(types.includes(7), `a GOAWAY among frame types ${types}`);
      assert.equal(await callCheck(server.port, "live"), SERVING, "still serving");
    });
  });
});

test("draining makes ready NOT_SERVING and leaves live SERVING; shutdown ends Watch streams with UNAVAILABLE and closes the port", async () => {
  const live = controlled("l", undefined, { groups: ["live"] });
  const ready = controlled("r", undefined, { groups: ["ready"] });
  const health = new Health({ checks: [live.check, ready.check], ttl: 60_000, poolSize: 4 });
  await health.start();
  const server = await serveGrpcHealth({
    hostname: "127.0.0.1",
    port: 0,
    health,
    pollInterval: () => 50,
    platform,
  });
  const watch = openWatch(server.port, "ready");
  try {
    assert.ok(await eventually(() => watch.seen.length === 1));
    health.drain();
    assert.equal(await callCheck(server.port, "ready"), NOT_SERVING);
    // As over HTTP: /health/ready answers 503, /health and /health/live 200.
    assert.equal(await callCheck(server.port, ""), SERVING);
    assert.equal(await callCheck(server.port, "live"), SERVING);
    assert.ok(await eventually(() => watch.seen.length === 2), "Watch sees the drain");
    assert.deepEqual(watch.seen, [SERVING, NOT_SERVING]);
    const start = performance.now();
    await server.shutdown(2000);
    assert.ok(performance.now() - start < 1500, "open streams do not hold shutdown to its grace");
    assert.ok(await eventually(() => watch.ended.closed));
    assert.equal(watch.ended.status, GRPC_CODES.UNAVAILABLE);
    await assert.rejects(callCheck(server.port, "live"), "the port is closed");
  } finally {
    watch.cancel();
    await server.shutdown(0);
    health.close();
  }
});

test("a taken port is a PlatformError EADDRINUSE", async () => {
  const health = new Health({ checks: [], ttl: 1000, poolSize: 1 });
  const first = await serveGrpcHealth({ hostname: "127.0.0.1", port: 0, health, platform });
  try {
    await assert.rejects(
      serveGrpcHealth({ hostname: "127.0.0.1", port: first.port, health, platform }),
      (error: Error & { code?: string }) => error.code === "EADDRINUSE",
    );
  } finally {
    await first.shutdown(0);
  }
});
