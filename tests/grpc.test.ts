// grpc.health.v1 in vitals, over real node:http2 sockets on 127.0.0.1, on
// Deno and Bun alike: the hand-written protobuf and framing, vitals' gRPC
// server (Check, Watch, draining, shutdown, bad input), and the `grpc` check
// kind against that server and against stand-ins that answer errors, never
// answer, or refuse. tests/grpc_interop.test.ts does the same against Go's
// grpc-go, the implementation kubelet's prober is built on.

import assert from "node:assert/strict";
import * as http2 from "node:http2";
import * as net from "node:net";
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { encodeFrame, FrameError, FrameReader, GRPC_CODES } from "../src/grpc/wire/frame.ts";
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  ProtoError,
} from "../src/grpc/wire/proto.ts";
import { MAX_REQUEST_BYTES, serveGrpcHealth } from "../src/grpc/server/health_server.ts";
import { Health } from "../src/engine/health.ts";
import type { RunningServer } from "../src/platform/platform.ts";
import { isSecretPath, secretsOf } from "../src/config/secrets.ts";
import { parseConfig } from "../src/config/load.ts";
import type { CheckConfig } from "../src/config/resolve.ts";
import {
  closedPort,
  controlled,
  eventually,
  platform,
  REFUSED,
  runCheck,
  sleep,
  tempDir,
  tempFile,
  UP,
} from "./helpers.ts";
import { serveConfig, signal, start, stop, waitForLog } from "./process_helpers.ts";
import { missingOpenssl, selfSigned } from "./certs.ts";

// ---------------------------------------------------------------------------
// A raw gRPC client, so tests can send what no well-behaved client would

interface RawAnswer {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders | undefined;
  messages: Uint8Array[];
}

const CHECK = "/grpc.health.v1.Health/Check";
const WATCH = "/grpc.health.v1.Health/Watch";

/** Sends `body` to `path` in one HTTP/2 request and collects the whole answer. */
function rawCall(
  port: number,
  path: string,
  body: Uint8Array,
  headers: http2.OutgoingHttpHeaders = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const request = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    let answer: RawAnswer | undefined;
    const data: Uint8Array[] = [];
    request.on("response", (h) => answer = { headers: h, trailers: undefined, messages: [] });
    request.on("trailers", (t) => answer && (answer.trailers = t));
    request.on("data", (chunk: Uint8Array) => data.push(chunk));
    request.on("error", reject);
    request.on("close", () => {
      session.close();
      if (!answer) return reject(new Error(`no response (rst ${request.rstCode})`));
      const reader = new FrameReader(1 << 20);
      for (const chunk of data) answer.messages.push(...reader.push(chunk));
      resolve(answer);
    });
    // GET has no body: node:http2 ends its stream at once.
    if (headers[":method"] === "GET") return;
    request.end(body);
  });
}

/** The grpc-status of an answer: from the trailers, or a trailers-only answer's headers. */
function statusOf(answer: RawAnswer): number {
  return Number(answer.trailers?.["grpc-status"] ?? answer.headers["grpc-status"]);
}

function messageOf(answer: RawAnswer): string {
  return decodeURIComponent(
    String(answer.trailers?.["grpc-message"] ?? answer.headers["grpc-message"] ?? ""),
  );
}

/** Check for `service`: the serving status, or `code N` for an error status. */
async function check(port: number, service: string): Promise<number | string> {
  const answer = await rawCall(port, CHECK, encodeFrame(encodeRequest(service)));
  const code = statusOf(answer);
  if (code !== 0) return `code ${code}`;
  assert.equal(answer.messages.length, 1);
  return decodeResponse(answer.messages[0]!);
}

/** An open Watch stream: the statuses received so far, and how it ended. */
function openWatch(port: number, service: string) {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on("error", () => {});
  const request = session.request({
    ":method": "POST",
    ":path": WATCH,
    "content-type": "application/grpc",
    te: "trailers",
  });
  const seen: number[] = [];
  const reader = new FrameReader(4096);
  const ended = { status: undefined as number | undefined, closed: false };
  request.on("data", (chunk: Uint8Array) => {
    for (const message of reader.push(chunk)) seen.push(decodeResponse(message));
  });
  request.on("trailers", (t) => ended.status = Number(t["grpc-status"]));
  request.on("error", () => {});
  request.on("close", () => ended.closed = true);
  request.end(encodeFrame(encodeRequest(service)));
  return {
    seen,
    ended,
    cancel() {
      request.close(http2.constants.NGHTTP2_CANCEL);
      session.close();
    },
  };
}

const SERVING = 1;
const NOT_SERVING = 2;
const SERVICE_UNKNOWN = 3;

// ---------------------------------------------------------------------------
// Protobuf and framing

describe("the hand-written protobuf of grpc.health.v1", () => {
  test("a request round-trips any service name, the empty one as no field at all", () => {
    for (const name of ["", "ready", "grpc.health.v1.Health", "ü".repeat(200)]) {
      assert.equal(decodeRequest(encodeRequest(name)), name);
    }
    assert.equal(encodeRequest("").length, 0);
    // 200 two-byte characters: a two-byte length varint.
    assert.deepEqual([...encodeRequest("ü".repeat(200)).subarray(0, 3)], [0x0a, 0x90, 0x03]);
  });

  test("unknown fields of every wire type are skipped, and the last service field wins", () => {
    const bytes = Uint8Array.of(
      0x10,
      0x96,
      0x01, // field 2, varint 150
      0x19,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8, // field 3, 64-bit
      0x25,
      1,
      2,
      3,
      4, // field 4, 32-bit
      0x0a,
      1,
      0x61, // service "a"
      0x2a,
      2,
      0x78,
      0x79, // field 5, length-delimited
      0x0a,
      1,
      0x62, // service "b"
    );
    assert.equal(decodeRequest(bytes), "b");
  });

  test("malformed requests are ProtoErrors that say what is wrong", () => {
    const cases: [number[], RegExp][] = [
      [[0x0a, 5, 0x61], /truncated field/],
      [[0x0a], /truncated varint/],
      [[0x08, 1], /field 1 has wire type 0, expected 2/],
      [[0x0a, 1, 0xff], /not UTF-8/],
      [[0x00, 1], /field number 0/],
      [[0x13], /unsupported wire type 3/],
      [[0x10, ...Array(11).fill(0x80)], /longer than 10 bytes/],
    ];
    for (const [bytes, message] of cases) {
      assert.throws(() => decodeRequest(Uint8Array.from(bytes)), (error) => {
        assert.ok(error instanceof ProtoError);
        assert.match(error.message, message);
        return true;
      });
    }
  });

  test("responses round-trip every serving status; UNKNOWN is the empty message", () => {
    for (const status of [0, 1, 2, 3, 300]) {
      assert.equal(decodeResponse(encodeResponse(status)), status);
    }
    assert.equal(encodeResponse(0).length, 0);
    assert.throws(() => decodeResponse(Uint8Array.of(0x0a, 0)), ProtoError);
  });
});

describe("gRPC framing", () => {
  test("messages split across chunks at every byte come out whole and in order", () => {
    const stream = [...encodeFrame(Uint8Array.of(8, 1)), ...encodeFrame(new Uint8Array(0))];
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new FrameReader(4096);
      const out = [
        ...reader.push(Uint8Array.from(stream.slice(0, cut))),
        ...reader.push(Uint8Array.from(stream.slice(cut))),
      ];
      assert.deepEqual(out.map((m) => [...m]), [[8, 1], []]);
      reader.end();
    }
  });

  test("a compressed flag is INTERNAL, an oversized length RESOURCE_EXHAUSTED before its bytes, a cut frame INTERNAL", () => {
    const code = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        assert.ok(error instanceof FrameError);
        return error.code;
      }
      return "no error";
    };
    assert.equal(code(() => new FrameReader(10).push(Uint8Array.of(1, 0, 0, 0, 1, 8))), 13);
    assert.equal(code(() => new FrameReader(10).push(Uint8Array.of(0, 0, 0, 0, 11))), 8);
    assert.equal(code(() => new FrameReader(10).push(Uint8Array.of(0, 0xff, 0xff, 0xff, 0xff))), 8);
    const reader = new FrameReader(10);
    reader.push(Uint8Array.of(0, 0, 0, 0, 2, 8));
    assert.equal(code(() => reader.end()), 13);
  });
});

// ---------------------------------------------------------------------------
// vitals' gRPC server

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
      assert.equal(await check(server.port, service), SERVING, service);
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
      assert.ok(await eventually(async () => await check(server.port, "ready") === NOT_SERVING));
      assert.equal(await check(server.port, ""), NOT_SERVING);
      assert.equal(await check(server.port, "live"), SERVING);
    } finally {
      ready.state.outcome = UP;
    }
    assert.ok(await eventually(async () => await check(server.port, "ready") === SERVING));
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
    assert.equal(await check(server.port, "live"), SERVING);
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
        assert.equal(await check(server.port, "live"), SERVING, "still serving");
      });
    }

    test("GET is HTTP 405 and a content type other than gRPC's HTTP 415", async () => {
      const get = await rawCall(server.port, CHECK, new Uint8Array(0), { ":method": "GET" });
      assert.equal(get.headers[":status"], 405);
      const json = await rawCall(server.port, CHECK, new Uint8Array(0), {
        "content-type": "application/json",
      });
      assert.equal(json.headers[":status"], 415);
      assert.equal(await check(server.port, "live"), SERVING, "still serving");
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
      assert.equal(await check(server.port, "live"), SERVING, "still serving");
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
    assert.equal(await check(server.port, "ready"), NOT_SERVING);
    // As over HTTP: /health/ready answers 503, /health and /health/live 200.
    assert.equal(await check(server.port, ""), SERVING);
    assert.equal(await check(server.port, "live"), SERVING);
    assert.ok(await eventually(() => watch.seen.length === 2), "Watch sees the drain");
    assert.deepEqual(watch.seen, [SERVING, NOT_SERVING]);
    const start = performance.now();
    await server.shutdown(2000);
    assert.ok(performance.now() - start < 1500, "open streams do not hold shutdown to its grace");
    assert.ok(await eventually(() => watch.ended.closed));
    assert.equal(watch.ended.status, GRPC_CODES.UNAVAILABLE);
    await assert.rejects(check(server.port, "live"), "the port is closed");
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

// ---------------------------------------------------------------------------
// The grpc check kind

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

// ---------------------------------------------------------------------------
// Config

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
});

// ---------------------------------------------------------------------------
// `vitals serve` with server.grpc

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
          assert.equal(await check(port, service), SERVING, service);
        }
        signal(vitals, "SIGTERM");
        await waitForLog(vitals, /readiness is DOWN/);
        assert.equal(await check(port, "ready"), NOT_SERVING);
        assert.equal(await check(port, "live"), SERVING);
        assert.equal(await vitals.exited, 0);
        await assert.rejects(check(port, "live"), "the gRPC port is closed");
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

// ---------------------------------------------------------------------------
// The grpc check over TLS

describe("the grpc check over TLS", { skip: missingOpenssl("the grpc TLS tests") }, () => {
  let dir: string;
  let peer: { port: number; close(): Promise<void> };
  before(async () => {
    dir = await tempDir();
    selfSigned(dir, "server", "grpc.test", "DNS:grpc.test,IP:127.0.0.1", 1);
    const server = http2.createSecureServer({
      key: readFileSync(`${dir}/server.key`),
      cert: readFileSync(`${dir}/server.crt`),
    });
    server.on("stream", (stream) => {
      stream.on("error", () => {});
      stream.resume();
      stream.on("end", () => {
        stream.respond({ ":status": 200, "content-type": "application/grpc" }, {
          waitForTrailers: true,
        });
        stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        stream.end(encodeFrame(encodeResponse(SERVING)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    peer = {
      port: (server.address() as net.AddressInfo).port,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  });
  after(async () => {
    await peer?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const tls = (settings: Record<string, unknown>) =>
    grpcCheck(peer.port, { tls: { insecureSkipVerify: false, ...settings } });

  test("trusting the server's CA (tls.ca) is UP; the name may be set with serverName", async () => {
    const ca = readFileSync(`${dir}/server.crt`, "utf8");
    const trusted = await runCheck(tls({ ca: `${dir}/server.crt`, pem: { ca } }));
    assert.deepEqual([trusted.status, trusted.message], ["UP", "SERVING"]);
    const named = await runCheck(
      tls({ ca: `${dir}/server.crt`, pem: { ca }, serverName: "grpc.test" }),
    );
    assert.equal(named.status, "UP");
  });

  test("a certificate the system does not trust is DOWN, and insecureSkipVerify accepts it", async () => {
    const untrusted = await runCheck(tls({}));
    assert.equal(untrusted.status, "DOWN");
    assert.equal(
      untrusted.message,
      `gRPC health check of 127.0.0.1:${peer.port} failed: TLS handshake failed`,
    );
    assert.equal((await runCheck(tls({ insecureSkipVerify: true }))).status, "UP");
  });

  test("tls: true in the config means TLS with the defaults", () => {
    const config = parseConfig("checks: [{name: g, type: grpc, port: 1, tls: true}]", "g.yaml", {});
    assert.deepEqual(config.checks[0]!.type === "grpc" && config.checks[0]!.tls, {
      insecureSkipVerify: false,
    });
  });
});
