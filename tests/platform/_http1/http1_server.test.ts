/**
 * The bounded HTTP/1.1 servers on 127.0.0.1, the same cases for both: on Deno
 * src/platform/_http1/http1_server.ts over `Deno.listen`, on Bun
 * src/platform/_http1/bun_server.ts over `Bun.listen` (what `vitals serve`
 * runs on each). Clients are raw sockets, so every byte on the wire is seen:
 * GET and HEAD with their content-length, keep-alive and pipelining, the
 * bytes of a `ReusableResponse` written again, the plain 500 for a handler
 * that fails, heads that arrive in pieces or outgrow the first buffer,
 * `Connection: close`, heads over 16 KiB (431), malformed requests (400),
 * requests with a body (answered, then closed), the connection limit (the
 * oldest idle connection makes room; none does when all are busy), and
 * shutdown (idle connections closed at once, a request in progress finished).
 *
 * Not tested: the 10 s head timeout (`HEAD_TIMEOUT_MS`), a constant the
 * server takes no option for; testing it would mean waiting 10 s.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { serveBun } from "../../../src/platform/_http1/bun_server.ts";
import { HEAD_LIMIT } from "../../../src/platform/_http1/codec.ts";
import { ReusableResponse } from "../../../src/platform/platform.ts";
import {
  type Http1Options,
  type Http1Server,
  serveHttp1,
} from "../../../src/platform/_http1/http1_server.ts";
import { createTestApp } from "../../_helpers/apps.ts";
import { eventually, gate } from "../../_helpers/waits.ts";

// ---------------------------------------------------------------------------
// Servers

/**
 * Serves `handler` on 127.0.0.1 at a free port with the runtime's HTTP/1.1
 * server: serveHttp1 over `Deno.listen` on Deno, serveBun over `Bun.listen` on
 * Bun; `close()` shuts it down at once.
 */
function start(
  handler: Http1Options["handler"],
  maxConnections = 64,
): Promise<{ port: number; server: Http1Server; close(): Promise<void> }> {
  const bun = (globalThis as { Bun?: unknown }).Bun;
  if (bun) {
    const server = serveBun(bun, { hostname: "127.0.0.1", port: 0, handler, maxConnections });
    return Promise.resolve({ port: server.port, server, close: () => server.shutdown(0) });
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, transport: "tcp" });
  const server = serveHttp1(listener, { handler, hostname: "127.0.0.1", maxConnections });
  return Promise.resolve({ port: listener.addr.port, server, close: () => server.shutdown(0) });
}

/** Answers `METHOD /path` in the body. */
const echo = (request: Request) =>
  Promise.resolve(new Response(`${request.method} ${new URL(request.url).pathname}`));

// ---------------------------------------------------------------------------
// A raw client

/** A parsed response. */
interface RawResponse {
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly body: string;
}

/** A raw TCP client that reads responses as they come. */
class Client {
  #data = Buffer.alloc(0);
  #wake = () => {};
  ended = false;
  readonly socket: Socket;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.#data = Buffer.concat([this.#data, chunk]);
      this.#wake();
    });
    const end = () => {
      this.ended = true;
      this.#wake();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  static open(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.once("connect", () => resolve(new Client(socket)));
      socket.once("error", reject);
    });
  }

  send(text: string): void {
    this.socket.write(Buffer.from(text, "latin1"));
  }

  /** Waits until `ready()` holds or the peer closes, for at most `ms`. */
  async #until(ready: () => boolean, ms = 3000): Promise<void> {
    const deadline = performance.now() + ms;
    while (!ready() && !this.ended && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Reads one response; `head` for the answer to a HEAD request (no body follows). */
  async response(head = false): Promise<RawResponse> {
    await this.#until(() => this.#data.includes("\r\n\r\n"));
    const end = this.#data.indexOf("\r\n\r\n");
    assert.ok(end !== -1, `no response head, got ${JSON.stringify(this.text())}`);
    const [statusLine = "", ...fields] = this.#data.subarray(0, end).toString("latin1")
      .split("\r\n");
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
    assert.ok(status, `a status line: ${JSON.stringify(statusLine)}`);
    const headers = new Map<string, string>();
    for (const field of fields) {
      const colon = field.indexOf(":");
      headers.set(field.slice(0, colon).toLowerCase(), field.slice(colon + 1).trim());
    }
    const length = head ? 0 : Number(headers.get("content-length") ?? 0);
    await this.#until(() => this.#data.length >= end + 4 + length);
    const body = this.#data.subarray(end + 4, end + 4 + length).toString("latin1");
    this.#data = this.#data.subarray(end + 4 + length);
    return { status: Number(status[1]), headers, body };
  }

  /** Whatever arrived and was not read as a response. */
  text(): string {
    return this.#data.toString("latin1");
  }

  /** Waits for the server to close the connection; whether it did within `ms`. */
  async closedWithin(ms = 2000): Promise<boolean> {
    await this.#until(() => false, ms);
    return this.ended;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const GET = (path: string, extra = "") => `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;

// ---------------------------------------------------------------------------
// Requests and responses

test("GET and HEAD are answered with the content-length, and HEAD with no body", async () => {
  const app = createTestApp();
  const server = await start(app.handler);
  const client = await Client.open(server.port);
  try {
    client.send(GET("/health/simple"));
    const get = await client.response();
    assert.equal(get.status, 200);
    assert.equal(get.body, '{"status":"UP"}');
    assert.equal(get.headers.get("content-length"), String(get.body.length));
    // HEAD then GET on one connection: a body after the HEAD answer would garble the next one.
    client.send(`HEAD /health/simple HTTP/1.1\r\nHost: t\r\n\r\n${GET("/health/simple")}`);
    const head = await client.response(true);
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(get.body.length));
    const again = await client.response();
    assert.equal(again.status, 200);
    assert.equal(again.body, '{"status":"UP"}');
    assert.equal(client.text(), "", "nothing more on the wire");
  } finally {
    client.destroy();
    await server.close();
    app.health.close();
  }
});

test("the handler is told the peer's address, through one info object per connection", async () => {
  const seen: { info: unknown; address: string }[] = [];
  const server = await start((request, info) => {
    seen.push({ info, address: info.remoteAddress });
    return new Response(new URL(request.url).pathname);
  });
  const first = await Client.open(server.port);
  const second = await Client.open(server.port);
  try {
    first.send(GET("/a") + GET("/b"));
    assert.equal((await first.response()).body, "/a");
    assert.equal((await first.response()).body, "/b");
    second.send(GET("/c"));
    assert.equal((await second.response()).body, "/c");
    assert.deepEqual(seen.map((one) => one.address), ["127.0.0.1", "127.0.0.1", "127.0.0.1"]);
    assert.equal(seen[0]!.info, seen[1]!.info, "one object for the requests of a connection");
    assert.notEqual(seen[0]!.info, seen[2]!.info, "another for another connection");
  } finally {
    first.destroy();
    second.destroy();
    await server.close();
  }
});

test(
  "HEAD is answered without a body even when the handler gives one",
  async () => {
    const server = await start(echo);
    const client = await Client.open(server.port);
    try {
      client.send(`HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n${GET("/y")}`);
      const head = await client.response(true);
      assert.equal(head.status, 200);
      const next = await client.response();
      assert.equal(next.status, 200);
      assert.equal(next.body, "GET /y");
    } finally {
      client.destroy();
      await server.close();
    }
  },
);

test("a connection stays open for a second request, also when both are sent at once", async () => {
  const server = await start(echo);
  const client = await Client.open(server.port);
  try {
    client.send(GET("/one"));
    const one = await client.response();
    assert.equal(one.body, "GET /one");
    assert.equal(one.headers.get("connection"), undefined, "keep-alive is HTTP/1.1's default");
    client.send(GET("/two"));
    assert.equal((await client.response()).body, "GET /two");
    client.send(GET("/three") + GET("/four"));
    assert.equal((await client.response()).body, "GET /three");
    assert.equal((await client.response()).body, "GET /four");
    assert.equal(client.ended, false);
  } finally {
    client.destroy();
    await server.close();
  }
});

test("Connection: close, or HTTP/1.0 without keep-alive, closes after the response", async () => {
  const server = await start(echo);
  try {
    for (
      const request of [
        GET("/bye", "Connection: close\r\n"),
        "GET /bye HTTP/1.0\r\n\r\n",
      ]
    ) {
      const client = await Client.open(server.port);
      try {
        client.send(request);
        const response = await client.response();
        assert.equal(response.status, 200);
        assert.equal(response.body, "GET /bye");
        assert.equal(response.headers.get("connection"), "close");
        assert.ok(await client.closedWithin(), "the server closed the connection");
      } finally {
        client.destroy();
      }
    }
  } finally {
    await server.close();
  }
});

test("a handler that throws or rejects gets 500 in plain text, and the connection goes on", async () => {
  const failing = (request: Request): Response | Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname === "/throw") throw new Error("the handler failed");
    if (pathname === "/reject") return Promise.reject(new Error("the handler failed"));
    return echo(request);
  };
  const server = await start(failing);
  const client = await Client.open(server.port);
  try {
    client.send(GET("/throw") + GET("/reject") + GET("/fine"));
    for (let i = 0; i < 2; i++) {
      const failed = await client.response();
      assert.equal(failed.status, 500);
      assert.equal(failed.headers.get("content-type"), "text/plain");
      assert.equal(failed.headers.get("content-length"), "22");
      assert.equal(failed.body, "internal server error\n");
      assert.equal(failed.headers.get("connection"), undefined, "the connection stays open");
    }
    assert.equal((await client.response()).body, "GET /fine");
    client.send(`HEAD /throw HTTP/1.1\r\nHost: t\r\n\r\n`);
    const head = await client.response(true);
    assert.equal(head.status, 500);
    assert.equal(head.headers.get("content-length"), "22");
    client.send(GET("/reject", "Connection: close\r\n"));
    const last = await client.response();
    assert.equal(last.status, 500);
    assert.equal(last.headers.get("connection"), "close");
    assert.ok(await client.closedWithin(), "the server closed the connection");
    assert.equal(client.text(), "", "nothing more on the wire: HEAD's answer had no body");
  } finally {
    client.destroy();
    await server.close();
  }
});

test(
  "reusable responses with one key are written as the first was, per method and close",
  async () => {
    // The handler vouches for equal bytes per key; the bodies differ here only to show reuse.
    const key = {};
    let count = 0;
    const keyed = () => Promise.resolve(new ReusableResponse(key, `answer ${++count}`, {}));
    const server = await start(keyed);
    const client = await Client.open(server.port);
    try {
      client.send(GET("/a") + GET("/b"));
      assert.equal((await client.response()).body, "answer 1");
      assert.equal((await client.response()).body, "answer 1");
      client.send(`HEAD /c HTTP/1.1\r\nHost: t\r\n\r\n`);
      const head = await client.response(true);
      assert.equal(head.headers.get("content-length"), "8");
      client.send(GET("/d", "Connection: close\r\n"));
      const last = await client.response();
      assert.equal(last.body, "answer 4", "a closing answer is serialised anew, once");
      assert.equal(last.headers.get("connection"), "close");
      assert.equal(client.text(), "", "nothing more on the wire");
    } finally {
      client.destroy();
      await server.close();
    }
  },
);

test("a request head sent a few bytes at a time, and one longer than 4 KiB, are read whole", async () => {
  const server = await start(echo);
  const client = await Client.open(server.port);
  try {
    const request = GET("/slow", `X-Long: ${"a".repeat(9000)}\r\n`);
    for (let at = 0; at < request.length; at += 3000) {
      client.send(request.slice(at, at + 3000));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal((await client.response()).body, "GET /slow");
    client.send(GET("/next"));
    assert.equal((await client.response()).body, "GET /next");
  } finally {
    client.destroy();
    await server.close();
  }
});

test("a request head over 16 KiB gets 431 and the connection is closed", async () => {
  const server = await start(echo);
  try {
    // Ended and not: a head too large is refused before it is complete.
    for (const ending of ["\r\n\r\n", ""]) {
      const client = await Client.open(server.port);
      try {
        client.send(`GET / HTTP/1.1\r\nHost: t\r\nX-Big: ${"a".repeat(HEAD_LIMIT + 100)}${ending}`);
        const response = await client.response();
        assert.equal(response.status, 431);
        assert.equal(response.body, "request header fields too large\n");
        assert.ok(await client.closedWithin());
      } finally {
        client.destroy();
      }
    }
    // Just under the limit is served.
    const client = await Client.open(server.port);
    try {
      client.send(GET("/fits", `X-Big: ${"a".repeat(HEAD_LIMIT - 200)}\r\n`));
      assert.equal((await client.response()).body, "GET /fits");
    } finally {
      client.destroy();
    }
  } finally {
    await server.close();
  }
});

test("a malformed request gets 400 and the connection is closed", async () => {
  const seen: string[] = [];
  const server = await start((request) => {
    seen.push(request.url);
    return echo(request);
  });
  try {
    for (
      const request of [
        "HELLO\r\n\r\n",
        "GET /\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET ftp://host/ HTTP/1.1\r\n\r\n",
      ]
    ) {
      const client = await Client.open(server.port);
      try {
        client.send(request);
        const response = await client.response();
        assert.equal(response.status, 400, JSON.stringify(request));
        assert.equal(response.body, "bad request\n");
        assert.equal(response.headers.get("connection"), "close");
        assert.ok(await client.closedWithin(), JSON.stringify(request));
      } finally {
        client.destroy();
      }
    }
    assert.deepEqual(seen, [], "the handler saw none of them");
  } finally {
    await server.close();
  }
});

test("a request with a body gets the handler's answer, then the connection is closed", async () => {
  const app = createTestApp();
  const server = await start(app.handler);
  const client = await Client.open(server.port);
  try {
    // The body looks like a second request: it must not be read as one.
    const smuggled = GET("/health/simple");
    client.send(GET("/health", `Content-Length: ${smuggled.length}\r\n`) + smuggled);
    const response = await client.response();
    assert.equal(response.status, 413);
    assert.match(response.body, /request bodies are not accepted/);
    assert.equal(response.headers.get("connection"), "close");
    assert.ok(await client.closedWithin());
    assert.equal(client.text(), "", "one answer only");
  } finally {
    client.destroy();
    await server.close();
    app.health.close();
  }
});

// ---------------------------------------------------------------------------
// The connection limit

test("past maxConnections, a new connection closes the oldest idle one and is served", async () => {
  const server = await start(echo, 3);
  const clients: Client[] = [];
  try {
    for (let i = 1; i <= 3; i++) {
      const client = await Client.open(server.port);
      clients.push(client);
      client.send(GET(`/c${i}`));
      assert.equal((await client.response()).body, `GET /c${i}`);
    }
    const fourth = await Client.open(server.port);
    clients.push(fourth);
    fourth.send(GET("/c4"));
    assert.equal((await fourth.response()).body, "GET /c4");
    const [first, second, third] = clients as [Client, Client, Client];
    assert.ok(await first.closedWithin(), "the oldest idle connection was closed");
    for (const [client, path] of [[second, "/again2"], [third, "/again3"]] as const) {
      assert.equal(client.ended, false);
      client.send(GET(path));
      assert.equal((await client.response()).body, `GET ${path}`);
    }
  } finally {
    for (const client of clients) client.destroy();
    await server.close();
  }
});

test("past maxConnections with every connection busy, a new one is closed unanswered", async () => {
  const release = gate();
  let started = 0;
  const server = await start(async (request) => {
    started++;
    await release.promise;
    return echo(request);
  }, 3);
  const clients: Client[] = [];
  try {
    for (let i = 1; i <= 3; i++) {
      const client = await Client.open(server.port);
      clients.push(client);
      client.send(GET(`/busy${i}`));
    }
    assert.ok(await eventually(() => started === 3), `${started} requests started`);
    const fourth = await Client.open(server.port);
    clients.push(fourth);
    fourth.send(GET("/late"));
    assert.ok(await fourth.closedWithin(), "refused");
    assert.equal(fourth.text(), "");
    release.open();
    for (let i = 1; i <= 3; i++) {
      assert.equal((await clients[i - 1]!.response()).body, `GET /busy${i}`);
    }
    assert.equal(started, 3);
  } finally {
    release.open();
    for (const client of clients) client.destroy();
    await server.close();
  }
});

// ---------------------------------------------------------------------------
// Shutdown

test("shutdown closes idle connections at once and lets a request in progress finish", async () => {
  const release = gate();
  const entered = gate();
  const server = await start(async (request) => {
    if (new URL(request.url).pathname === "/slow") {
      entered.open();
      await release.promise;
    }
    return await echo(request);
  });
  const idle = await Client.open(server.port);
  const busy = await Client.open(server.port);
  try {
    idle.send(GET("/quick"));
    assert.equal((await idle.response()).body, "GET /quick");
    busy.send(GET("/slow"));
    await entered.promise;

    let done = false;
    const stopping = server.server.shutdown(5000).then(() => (done = true));
    assert.ok(await idle.closedWithin(1000), "the idle connection was closed at once");
    assert.equal(busy.ended, false, "the busy one is still open");
    assert.equal(done, false, "shutdown waits for it");
    // No new connections once shutting down.
    await assert.rejects(
      Client.open(server.port).then((late) => {
        late.destroy();
      }),
    );

    release.open();
    const response = await busy.response();
    assert.equal(response.status, 200);
    assert.equal(response.body, "GET /slow");
    assert.equal(response.headers.get("connection"), "close");
    assert.ok(await busy.closedWithin());
    await stopping;
    assert.equal(done, true);
  } finally {
    release.open();
    idle.destroy();
    busy.destroy();
    await server.close();
  }
});

test("shutdown closes a request still in progress when the grace runs out", async () => {
  const release = gate();
  const entered = gate();
  const server = await start(async (request) => {
    entered.open();
    await release.promise;
    return await echo(request);
  });
  const busy = await Client.open(server.port);
  try {
    busy.send(GET("/stuck"));
    await entered.promise;
    const started = performance.now();
    await server.server.shutdown(200);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 150 && elapsed < 1500, `shutdown took ${elapsed} ms for a 200 ms grace`);
    assert.ok(await busy.closedWithin(1000));
    assert.equal(busy.text(), "");
  } finally {
    release.open();
    busy.destroy();
  }
});
