/**
 * Requests the handler refuses (src/http/handler.ts), called directly and over
 * a real socket: a request with a body is refused (405 for other methods, 413
 * for GET and HEAD), and an oversized request header neither crashes the
 * server nor stops it answering. Raw HTTP/1.1 goes over `node:net` where
 * `fetch` cannot send what a test needs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createConnection } from "node:net";
import { test } from "node:test";
import type { App } from "../../src/app/create_app.ts";
import { appOf } from "../_helpers/apps.ts";
import { BASE, UP_BODY } from "../_helpers/http.ts";
import { platform } from "../_helpers/platform.ts";

/** What a raw HTTP/1.1 exchange got back. */
interface RawReply {
  /** Everything the server sent, decoded as Latin-1. */
  readonly text: string;
  /** The status code of the first response line, if there was one. */
  readonly status: number | undefined;
  /** A socket error such as ECONNRESET, if one happened. */
  readonly error: string | undefined;
}

/**
 * Sends `request` over a plain TCP connection and collects the reply until the
 * server closes the connection (send `Connection: close`) or `timeoutMs` passes.
 */
function rawRequest(port: number, request: string, timeoutMs = 5000): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let text = "";
    let error: string | undefined;
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on("data", (chunk: Uint8Array) => {
      text += Array.from(chunk, (byte) => String.fromCharCode(byte)).join("");
    });
    socket.on("error", (cause: Error & { code?: string }) => {
      error = cause.code ?? cause.message;
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: match ? Number(match[1]) : undefined, error });
    });
    socket.write(request);
  });
}

/** Serves the app on 127.0.0.1 at a free port for the length of `body`. */
async function withServer(app: App, body: (port: number) => Promise<void>): Promise<void> {
  const server = await platform.serve({ hostname: "127.0.0.1", port: 0, handler: app.handler });
  try {
    await body(server.port);
  } finally {
    await server.shutdown(1000);
  }
}

const SIMPLE_CONFIG = `checks:
  - name: fine
    type: command
    command: ["sh", "-c", "exit 0"]
    timeout: 5s
`;

test("requests with a body are refused: other methods with 405, GET and HEAD with 413", async () => {
  const app = appOf(SIMPLE_CONFIG);
  for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
    const response = await app.handler(
      new Request(`${BASE}/health`, { method, body: "hello" }),
    );
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get("allow"), "GET, HEAD", method);
  }
  for (const method of ["GET", "HEAD"]) {
    for (const headers of [{ "content-length": "5" }, { "transfer-encoding": "chunked" }]) {
      const response = await app.handler(new Request(`${BASE}/health`, { method, headers }));
      assert.equal(response.status, 413, `${method} ${JSON.stringify(headers)}`);
    }
  }
  const empty = await app.handler(
    new Request(`${BASE}/health`, { headers: { "content-length": "0" } }),
  );
  assert.equal(empty.status, 200);
});

test("over a real socket, GET with a body gets 413 and POST gets 405", async () => {
  const app = appOf(SIMPLE_CONFIG);
  await withServer(app, async (port) => {
    const withBody = await rawRequest(
      port,
      "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    );
    assert.equal(withBody.status, 413, withBody.text);
    assert.match(withBody.text, /request bodies are not accepted/);

    const chunked = await rawRequest(
      port,
      "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n" +
        "Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    );
    assert.equal(chunked.status, 413, chunked.text);

    const post = await rawRequest(
      port,
      "POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    );
    assert.equal(post.status, 405, post.text);
    assert.match(post.text, /^allow: GET, HEAD\r$/im);

    const plain = await fetch(`http://127.0.0.1:${port}/health/simple`);
    assert.equal(plain.status, 200);
    assert.equal(await plain.text(), UP_BODY);
  });
});

test("a 64 KiB request header is refused with 431 on both runtimes, and the server keeps serving", async () => {
  const app = appOf(SIMPLE_CONFIG);
  await withServer(app, async (port) => {
    for (const name of ["X-Padding", "Authorization"]) {
      const value = name === "Authorization"
        ? `Bearer ${"t".repeat(64 * 1024)}`
        : "a".repeat(64 * 1024);
      const reply = await rawRequest(
        port,
        `GET /health/simple HTTP/1.1\r\nHost: 127.0.0.1\r\n${name}: ${value}\r\n` +
          "Connection: close\r\n\r\n",
      );
      // vitals' own server on Deno and Bun.serve both refuse a head over 16 KiB.
      assert.equal(
        reply.status,
        431,
        `${name}: unexpected reply ${JSON.stringify(reply.text.slice(0, 200))} ${reply.error}`,
      );
      const next = await fetch(`http://127.0.0.1:${port}/health/simple`);
      assert.equal(next.status, 200);
      assert.equal(await next.text(), UP_BODY);
    }
  });
});
