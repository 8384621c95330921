// The http check (src/checks/http.ts) against real HTTP servers on 127.0.0.1:
// status codes and expectStatus, redirects judged and not followed,
// bodyContains within 64 KiB, the request it sends, timeouts, and peers that
// fail: refused, accepting TCP but never answering, closing without an answer,
// answering in another protocol, or a name that does not resolve. Also: a
// configured User-Agent is the only one sent, and credentials in a redirect's
// Location are masked.

import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import type { CheckConfig } from "../../src/config/resolve.ts";
import { CHECK_BASE, runCheck } from "../_helpers/checks.ts";
import { closedPort, startServer } from "../_helpers/servers.ts";

function http(url: string, extra: Partial<CheckConfig> = {}): CheckConfig {
  return { ...CHECK_BASE, name: "web", type: "http", url, method: "GET", ...extra } as CheckConfig;
}

/**
 * A TCP server on 127.0.0.1 that never answers in HTTP: `silent` accepts and
 * never writes, `close` reads the request and closes, `garbage` answers an SSH
 * banner.
 */
async function startTcpPeer(
  mode: "silent" | "close" | "garbage",
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    socket.once("data", () => {
      if (mode === "close") socket.end();
      if (mode === "garbage") socket.write("SSH-2.0-OpenSSH_9.6\r\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

test("http 200 is UP and 3xx counts as UP by default, like kubelet", async () => {
  const server = await startServer((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/moved") {
      return new Response(null, { status: 302, headers: { location: "/gone" } });
    }
    return new Response("fine");
  });
  try {
    assert.equal((await runCheck(http(`${server.url}/ok`))).message, "HTTP 200");
    const moved = await runCheck(http(`${server.url}/moved`));
    assert.equal(moved.status, "UP");
    assert.equal(moved.message, "HTTP 302");
  } finally {
    await server.close();
  }
});

test("http redirect is not followed: the 3xx itself is judged", async () => {
  let followed = 0;
  const server = await startServer((request) => {
    if (new URL(request.url).pathname === "/target") followed++;
    return new Response(null, { status: 301, headers: { location: "/target" } });
  });
  try {
    const result = await runCheck(
      http(`${server.url}/start`, { expectStatus: [200] } as Partial<CheckConfig>),
    );
    assert.equal(result.status, "DOWN");
    assert.equal(result.message, "HTTP 301, redirect to /target not followed (expected 200)");
    assert.equal(followed, 0);
  } finally {
    await server.close();
  }
});

test("http status outside expectStatus is DOWN, inside it is UP", async () => {
  const server = await startServer(() => new Response("busy", { status: 503 }));
  try {
    const down = await runCheck(http(server.url));
    assert.equal(down.status, "DOWN");
    assert.equal(down.message, "HTTP 503 (expected 200-399)");
    const up = await runCheck(http(server.url, { expectStatus: [503] } as Partial<CheckConfig>));
    assert.equal(up.status, "UP");
    assert.equal(up.message, "HTTP 503 (expected 503)", "an UP message names a set expectStatus");
  } finally {
    await server.close();
  }
});

test("http bodyContains matches the body and reports a miss", async () => {
  const server = await startServer(() => new Response('{"ready":true}'));
  try {
    const hit = await runCheck(
      http(server.url, { bodyContains: '"ready":true' } as Partial<CheckConfig>),
    );
    assert.equal(hit.status, "UP");
    assert.equal(hit.message, 'HTTP 200, body contains "\\"ready\\":true"');
    const miss = await runCheck(http(server.url, { bodyContains: "nope" } as Partial<CheckConfig>));
    assert.equal(miss.status, "DOWN");
    assert.equal(miss.message, 'HTTP 200, but the body does not contain "nope" (read 14 bytes)');
  } finally {
    await server.close();
  }
});

test("http bodyContains reads at most 64 KiB of the body", async () => {
  // The marker sits past 64 KiB, so it must not be found.
  const body = "a".repeat(70 * 1024) + "MARKER";
  const server = await startServer(() => new Response(body));
  try {
    const result = await runCheck(
      http(server.url, { bodyContains: "MARKER" } as Partial<CheckConfig>),
    );
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /read the first 65536 bytes/);
  } finally {
    await server.close();
  }
});

test("http sends configured headers, the method, and a vitals User-Agent", async () => {
  const seen: { method: string; probe: string | null; agent: string | null }[] = [];
  const server = await startServer((request) => {
    seen.push({
      method: request.method,
      probe: request.headers.get("x-probe"),
      agent: request.headers.get("user-agent"),
    });
    return new Response("ok");
  });
  try {
    const result = await runCheck(
      http(
        server.url,
        { method: "HEAD", headers: { "X-Probe": "vitals" } } as Partial<CheckConfig>,
      ),
    );
    assert.equal(result.status, "UP");
    assert.equal(seen[0]?.method, "HEAD");
    assert.equal(seen[0]?.probe, "vitals");
    assert.match(seen[0]?.agent ?? "", /^vitals\//);
  } finally {
    await server.close();
  }
});

test("http response slower than the timeout is DOWN: timed out", async () => {
  let release = () => {};
  const server = await startServer(() =>
    new Promise<Response>((resolve) => {
      const timer = setTimeout(() => resolve(new Response("late")), 3000);
      release = () => {
        clearTimeout(timer);
        resolve(new Response("late"));
      };
    })
  );
  try {
    const started = performance.now();
    const result = await runCheck(http(server.url, { timeout: 200 } as Partial<CheckConfig>));
    const elapsed = performance.now() - started;
    assert.equal(result.status, "DOWN");
    assert.equal(result.message, "timed out after 200 ms");
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  } finally {
    release();
    await server.close();
  }
});

test("http to a closed port is DOWN: connection refused", async () => {
  const port = await closedPort();
  const result = await runCheck(http(`http://127.0.0.1:${port}/`));
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, `GET http://127.0.0.1:${port}/ failed: connection refused`);
});

// Peers that fail

test("an http or tabbyapi check against a peer that accepts TCP but never answers is DOWN at its timeout", async () => {
  const peer = await startTcpPeer("silent");
  try {
    for (const type of ["http", "tabbyapi"]) {
      const started = performance.now();
      const result = await runCheck({
        type,
        timeout: 300,
        url: `http://127.0.0.1:${peer.port}/ready`,
        method: "GET",
        path: "/health",
        requireModel: false,
      });
      const elapsed = performance.now() - started;
      assert.equal(result.status, "DOWN", type);
      assert.equal(result.message, "timed out after 300 ms", type);
      assert.ok(elapsed >= 290 && elapsed < 1500, `${type}: DOWN after ${elapsed} ms`);
    }
    // The same peer is UP for a tcp check: it does accept connections.
    const tcp = await runCheck({ type: "tcp", host: "127.0.0.1", port: peer.port });
    assert.equal(tcp.status, "UP", tcp.message);
  } finally {
    await peer.close();
  }
});

test("an http check against a peer that closes without answering is DOWN: connection closed before a response", async () => {
  const peer = await startTcpPeer("close");
  try {
    const result = await runCheck({
      type: "http",
      url: `http://127.0.0.1:${peer.port}/ready`,
      method: "GET",
    });
    assert.equal(result.status, "DOWN");
    assert.equal(
      result.message,
      `GET http://127.0.0.1:${peer.port}/ready failed: connection closed before a response`,
    );
  } finally {
    await peer.close();
  }
});

test("an http check against a peer that answers in another protocol is DOWN with one line naming the URL", async () => {
  const peer = await startTcpPeer("garbage");
  try {
    const result = await runCheck({
      type: "http",
      url: `http://127.0.0.1:${peer.port}/ready`,
      method: "GET",
    });
    assert.equal(result.status, "DOWN");
    assert.ok(
      result.message.startsWith(`GET http://127.0.0.1:${peer.port}/ready failed: `),
      result.message,
    );
    assert.doesNotMatch(result.message, /\n| {4}at /);
  } finally {
    await peer.close();
  }
});

test("a peer that answers in another protocol gets one short, runtime-independent reason", async () => {
  const peer = await startTcpPeer("garbage");
  try {
    const result = await runCheck({
      type: "http",
      url: `http://127.0.0.1:${peer.port}/ready`,
      method: "GET",
    });
    const prefix = `GET http://127.0.0.1:${peer.port}/ready failed: `;
    assert.ok(result.message.startsWith(prefix), result.message);
    const reason = result.message.slice(prefix.length);
    assert.match(reason, /^[A-Za-z][A-Za-z ]{2,40}$/, `a short reason in words: ${reason}`);
    // The same words whichever runtime's fetch failed, so one expected value for both.
    assert.equal(reason, "not an HTTP response");
  } finally {
    await peer.close();
  }
});

test("an http check to a name under .invalid is DOWN naming the host and that it does not resolve", async () => {
  // RFC 6761: .invalid never resolves, so the only traffic is the lookup itself.
  for (const url of ["http://vitals-test.invalid/ready", "http://vitals-test.invalid:8080/"]) {
    const started = performance.now();
    const result = await runCheck({ type: "http", url, method: "GET", timeout: 5000 });
    assert.equal(result.status, "DOWN");
    assert.equal(result.message, `GET ${url} failed: name does not resolve`);
    assert.ok(performance.now() - started < 5000);
  }
  const tabby = await runCheck({
    type: "tabbyapi",
    url: "http://vitals-test.invalid",
    path: "/health",
    requireModel: false,
  });
  assert.equal(tabby.status, "DOWN");
  assert.match(tabby.message, /vitals-test\.invalid.*name does not resolve/);
});

// What goes on the wire

/**
 * An HTTP/1.1 server over raw TCP on 127.0.0.1 that keeps each request head as
 * it arrived and answers `200 ok`, closing the connection.
 */
async function startHeadRecorder(): Promise<
  { port: number; heads: string[]; close(): Promise<void> }
> {
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    let head = "";
    socket.on("data", (chunk: Uint8Array) => {
      head += new TextDecoder("latin1").decode(chunk);
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      heads.push(head.slice(0, end));
      socket.end("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return {
    port: address.port,
    heads,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The values of every `name` field in a raw request head, in order. */
function fieldValues(head: string, name: string): string[] {
  return head.split("\r\n").slice(1)
    .filter((line) => line.slice(0, line.indexOf(":")).toLowerCase() === name)
    .map((line) => line.slice(line.indexOf(":") + 1).trim());
}

test("a configured User-Agent header, in any case, is the only User-Agent sent", async () => {
  const recorder = await startHeadRecorder();
  try {
    for (const name of ["User-Agent", "user-agent", "USER-AGENT"]) {
      const result = await runCheck(
        http(`http://127.0.0.1:${recorder.port}/ready`, {
          headers: { [name]: "probe/1", "X-Probe": "yes" },
        } as Partial<CheckConfig>),
      );
      assert.equal(result.status, "UP", `${name}: ${result.message}`);
      const head = recorder.heads.at(-1) ?? "";
      assert.deepEqual(fieldValues(head, "user-agent"), ["probe/1"], `${name}:\n${head}`);
      assert.deepEqual(fieldValues(head, "x-probe"), ["yes"], head);
    }
    // Without one configured, vitals' own is sent, once.
    const plain = await runCheck(http(`http://127.0.0.1:${recorder.port}/`));
    assert.equal(plain.status, "UP", plain.message);
    const agents = fieldValues(recorder.heads.at(-1) ?? "", "user-agent");
    assert.equal(agents.length, 1, String(agents));
    assert.match(agents[0] ?? "", /^vitals\//);
  } finally {
    await recorder.close();
  }
});

test("credentials in a redirect's Location are shown as *** in the message", async () => {
  const server = await startServer(() =>
    new Response(null, {
      status: 302,
      headers: { location: "http://admin:pw@host.example/login?next=/" },
    })
  );
  try {
    const result = await runCheck(
      http(`${server.url}/ready`, { expectStatus: [200] } as Partial<CheckConfig>),
    );
    assert.equal(result.status, "DOWN");
    assert.equal(
      result.message,
      "HTTP 302, redirect to http://***@host.example/login?next=/ not followed (expected 200)",
    );
    assert.ok(!result.message.includes("pw") && !result.message.includes("admin"));
  } finally {
    await server.close();
  }
});
