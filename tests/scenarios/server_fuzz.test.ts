/**
 * Fuzzing a served app over raw sockets (the platform's HTTP server, src/platform,
 * in front of src/http/handler.ts): hand-written malformed and odd HTTP/1.1 and
 * random bytes, targets and headers sent to a real server on 127.0.0.1 never
 * crash it or get a 500, and a normal probe still gets 200 after every batch.
 *
 * The random cases come from a fixed seed, so a failure reproduces.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { connect } from "node:net";
import { test } from "node:test";
import fc from "fast-check";
import { createTestApp } from "../_helpers/apps.ts";
import { SEED } from "../_helpers/fuzz.ts";
import { startServer } from "../_helpers/servers.ts";

/** What one raw exchange sends. */
interface RawCase {
  readonly label: string;
  /** Written in order; strings are sent as Latin-1, one byte per character. */
  readonly parts: readonly (string | Uint8Array)[];
  /** Destroy the socket right after writing, without waiting for an answer. */
  readonly abort?: boolean;
  /** The request says HTTP/1.0, so an HTTP/1.0 status line is a fine answer. */
  readonly http10?: boolean;
  /** The HTTP/2 preface: a server may answer in HTTP/2 (h2c prior knowledge). */
  readonly http2?: boolean;
  /** How many final responses must come back, when that is certain. */
  readonly responses?: number;
}

/**
 * Sends `parts` on a fresh connection and returns what came back (Latin-1)
 * when the server closes, or after `waitMs`. Never rejects; always closes.
 */
function rawExchange(port: number, raw: RawCase, waitMs = 700): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: "127.0.0.1", port });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString("latin1"));
    };
    const timer = setTimeout(finish, waitMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", finish);
    socket.on("close", finish);
    socket.on("end", finish);
    socket.on("connect", () => {
      for (const part of raw.parts) {
        socket.write(typeof part === "string" ? Buffer.from(part, "latin1") : part);
      }
      if (raw.abort) finish();
    });
  });
}

/**
 * Asserts every status line in `received` is HTTP/1.1 (or HTTP/1.0 in answer to
 * an HTTP/1.0 request) with a 2xx, 4xx or 5xx code other than 500. An interim
 * `100 Continue` (the answer to `Expect: 100-continue`) must be followed by a
 * final status line.
 */
function assertStatusLines(received: string, raw: RawCase): void {
  if (received === "") return;
  if (raw.http2 && !received.startsWith("HTTP/")) {
    // An HTTP/2 server's first frame is SETTINGS: a 9-byte header with type 0x4.
    assert.equal(received.charCodeAt(3), 0x4, `${raw.label}: not a SETTINGS frame`);
    return;
  }
  const version = raw.http10 ? /^HTTP\/1\.[01] / : /^HTTP\/1\.1 /;
  assert.match(received, version, `${raw.label}: got ${JSON.stringify(received.slice(0, 80))}`);
  // Bodies are JSON without a trailing newline, so a pipelined status line may follow one directly.
  const statusLines = received.match(/HTTP\/\d\.\d \d{3}[^\r\n]*/g) ?? [];
  const final = statusLines.filter((line) => !/^HTTP\/1\.1 100 /.test(line));
  assert.ok(final.length > 0, `${raw.label}: only an interim response: ${statusLines.join(" | ")}`);
  if (raw.responses !== undefined) {
    assert.equal(final.length, raw.responses, `${raw.label}: ${final.join(" | ")}`);
  }
  for (const line of final) {
    assert.match(line, version, `${raw.label}: ${line}`);
    assert.match(line, /^HTTP\/1\.[01] [245]\d\d( |$)/, `${raw.label}: ${line}`);
    assert.doesNotMatch(line, /^HTTP\/1\.[01] 500/, `${raw.label}: ${line}`);
  }
}

const GET = "GET /health/simple HTTP/1.1\r\nHost: 127.0.0.1\r\n";

/** Hand-written malformed and odd requests. */
const RAW_CASES: readonly RawCase[] = [
  { label: "garbage request line", parts: ["GARBAGE\r\n\r\n"] },
  { label: "missing version", parts: ["GET /health/simple\r\n\r\n"] },
  { label: "unknown version", parts: ["GET /health/simple HTTP/9.9\r\nHost: x\r\n\r\n"] },
  { label: "HTTP/1.0 without Host", parts: ["GET /health/simple HTTP/1.0\r\n\r\n"], http10: true },
  { label: "double spaces", parts: ["GET  /health/simple  HTTP/1.1\r\nHost: x\r\n\r\n"] },
  { label: "lowercase method", parts: ["get /health/simple HTTP/1.1\r\nHost: x\r\n\r\n"] },
  {
    label: "unknown method",
    parts: ["BREW /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
  },
  { label: "no Host header", parts: ["GET /health/simple HTTP/1.1\r\nConnection: close\r\n\r\n"] },
  { label: "two Host headers", parts: [`${GET}Host: other\r\nConnection: close\r\n\r\n`] },
  { label: "100 KB header", parts: [`${GET}X-Big: ${"a".repeat(100_000)}\r\n\r\n`] },
  {
    label: "2000 headers",
    parts: [`${GET}${Array.from({ length: 2000 }, (_, i) => `X-H${i}: v\r\n`).join("")}\r\n`],
  },
  {
    label: "100 KB request target",
    parts: [`GET /health/${"x".repeat(100_000)} HTTP/1.1\r\n\r\n`],
  },
  { label: "NUL and DEL in a header value", parts: [`${GET}X-Bad: a\x00b\x7f\r\n\r\n`] },
  { label: "space in a header name", parts: [`${GET}Bad Header: x\r\n\r\n`] },
  { label: "non-ASCII header name", parts: [`${GET}X-\xe9\xff: x\r\n\r\n`] },
  { label: "header without a colon", parts: [`${GET}NoColon\r\n\r\n`] },
  {
    label: "obsolete line folding",
    parts: [`${GET}X-Fold: a\r\n  continued\r\nConnection: close\r\n\r\n`],
  },
  {
    label: "bare LF line endings",
    parts: ["GET /health/simple HTTP/1.1\nHost: x\nConnection: close\n\n"],
  },
  { label: "bare CR line endings", parts: ["GET /health/simple HTTP/1.1\rHost: x\r\r"] },
  {
    label: "GET with a body",
    parts: [`${GET}Content-Length: 5\r\nConnection: close\r\n\r\nhello`],
  },
  {
    label: "GET with a chunked body",
    parts: [`${GET}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  },
  { label: "negative Content-Length", parts: [`${GET}Content-Length: -1\r\n\r\n`] },
  { label: "non-numeric Content-Length", parts: [`${GET}Content-Length: abc\r\n\r\n`] },
  {
    label: "conflicting Content-Lengths",
    parts: [`${GET}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`],
  },
  {
    label: "Content-Length and chunked together",
    parts: [`${GET}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
  },
  { label: "bad chunk size", parts: [`${GET}Transfer-Encoding: chunked\r\n\r\nzz\r\n`] },
  { label: "huge Content-Length", parts: [`${GET}Content-Length: 99999999999999999999\r\n\r\n`] },
  {
    label: "Expect: 100-continue",
    parts: [
      `POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    ],
  },
  {
    label: "WebSocket upgrade",
    parts: [
      `${GET}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ],
  },
  {
    label: "h2c upgrade",
    parts: [
      `${GET}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n`,
    ],
  },
  { label: "HTTP/2 preface", parts: ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"], http2: true },
  {
    label: "TLS ClientHello",
    parts: [new Uint8Array([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03])],
  },
  { label: "only NUL bytes", parts: [new Uint8Array(64)] },
  { label: "only line breaks", parts: ["\r\n\r\n\r\n\r\n"] },
  {
    label: "absolute-form target",
    parts: [
      "GET http://other.example/health/simple HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ],
  },
  {
    label: "asterisk target",
    parts: ["OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
  },
  { label: "CONNECT", parts: ["CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n"] },
  {
    label: "malformed percent-encoding",
    parts: ["GET /health/%ZZ%/simple HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
  },
  {
    label: "raw UTF-8 in the target",
    parts: ["GET /h\xc3\xa9alth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
  },
  {
    label: "dot segments",
    parts: ["GET /x/../health/./simple HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
  },
  {
    label: "fragment in the target",
    parts: ["GET /health/simple#x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
  },
  {
    label: "three pipelined requests",
    parts: [`${GET}\r\n${GET}\r\n${GET}Connection: close\r\n\r\n`],
    responses: 3,
  },
  {
    label: "a bad request pipelined between good ones",
    parts: [`${GET}\r\nGARBAGE\r\n\r\n${GET}Connection: close\r\n\r\n`],
  },
  { label: "request split byte by byte", parts: [...`${GET}Connection: close\r\n\r\n`] },
  { label: "close in the request line", parts: ["GET /health/sim"], abort: true },
  { label: "close in the headers", parts: [`${GET}X-Half: `], abort: true },
  {
    label: "close in a declared body",
    parts: [`POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789`],
    abort: true,
  },
  { label: "close right after a full request", parts: [`${GET}\r\n`], abort: true },
  { label: "connect and close at once", parts: [], abort: true },
  { label: "headers never finished", parts: [`${GET}X-Slow: 1\r\n`] },
];

/** Latin-1 text, one character per byte: mostly visible ASCII, now and then any byte. */
const latin1 = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0x21, max: 0x7e }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
    ).map((code) => String.fromCharCode(code)),
    maxLength,
  });

/** Random garbage, and requests with random bytes in the target or in a header. */
const RANDOM_CASES: RawCase[] = fc.sample(
  fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes): RawCase => ({
      label: "random bytes",
      parts: [new Uint8Array(bytes)],
    })),
    latin1(40).map((target): RawCase => ({
      label: `random target ${JSON.stringify(target)}`,
      parts: [`GET /health/${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
    })),
    fc.tuple(latin1(12), latin1(40)).map(([name, value]): RawCase => ({
      label: `random header ${JSON.stringify(`${name}: ${value}`)}`,
      parts: [`${GET}${name}: ${value}\r\nConnection: close\r\n\r\n`],
    })),
  ),
  { seed: SEED, numRuns: 30 },
);

test("malformed raw HTTP/1.1 never crashes the server or gets a 500; a normal probe still gets 200", async () => {
  const app = createTestApp();
  const server = await startServer(app.handler);
  try {
    const cases = [...RAW_CASES, ...RANDOM_CASES];
    assert.ok(cases.length >= 50 && cases.length <= 100);
    // Batches run concurrently; after each, the server must still answer probes.
    for (let start = 0; start < cases.length; start += 20) {
      const batch = cases.slice(start, start + 20);
      const received = await Promise.all(batch.map((raw) => rawExchange(server.port, raw)));
      batch.forEach((raw, i) => assertStatusLines(received[i] ?? "", raw));
      const probe = await fetch(`${server.url}/health/simple`);
      assert.equal(probe.status, 200, `after the batch starting at case ${start}`);
      assert.deepEqual(await probe.json(), { status: "UP" });
    }
  } finally {
    await server.close();
    app.health.close();
  }
});

test("an HTTP/1.0 probe without a Host header reaches its route", async () => {
  const app = createTestApp();
  const server = await startServer(app.handler);
  try {
    for (const target of ["/health/simple", "/health", "/health/ready?simple"]) {
      const received = await rawExchange(server.port, {
        label: target,
        parts: [`GET ${target} HTTP/1.0\r\n\r\n`],
        http10: true,
      });
      assert.match(received, /^HTTP\/1\.[01] 200 /, `${target}: ${received.slice(-120)}`);
    }
  } finally {
    await server.close();
    app.health.close();
  }
});
