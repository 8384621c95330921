/**
 * A raw gRPC client for the tests of vitals' gRPC health server: one call
 * with any path, body and headers (so a test can send what no well-behaved
 * client would), the status and message it ended with, a Check call, and an
 * open Watch stream; over `node:http2` on 127.0.0.1.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { decodeResponse, encodeRequest } from "../../src/grpc/wire/proto.ts";
import { encodeFrame, FrameReader } from "../../src/grpc/wire/frame.ts";

/** What a raw call got back: the response headers, the trailers and the messages. */
export interface RawAnswer {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders | undefined;
  messages: Uint8Array[];
}

/** The path of the Check method. */
export const CHECK = "/grpc.health.v1.Health/Check";
/** The path of the Watch method. */
export const WATCH = "/grpc.health.v1.Health/Watch";

/** Sends `body` to `path` in one HTTP/2 request and collects the whole answer. */
export function rawCall(
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
export function statusOf(answer: RawAnswer): number {
  return Number(answer.trailers?.["grpc-status"] ?? answer.headers["grpc-status"]);
}

/** The grpc-message of an answer, decoded. */
export function messageOf(answer: RawAnswer): string {
  return decodeURIComponent(
    String(answer.trailers?.["grpc-message"] ?? answer.headers["grpc-message"] ?? ""),
  );
}

/** Calls Check for `service`: the serving status, or `code N` for an error status. */
export async function callCheck(port: number, service: string): Promise<number | string> {
  const answer = await rawCall(port, CHECK, encodeFrame(encodeRequest(service)));
  const code = statusOf(answer);
  if (code !== 0) return `code ${code}`;
  assert.equal(answer.messages.length, 1);
  return decodeResponse(answer.messages[0]!);
}

/** An open Watch stream: the statuses received so far, and how it ended. */
export function openWatch(port: number, service: string) {
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

/** The serving statuses of grpc.health.v1 that the tests see. */
export const SERVING = 1;
export const NOT_SERVING = 2;
export const SERVICE_UNKNOWN = 3;
