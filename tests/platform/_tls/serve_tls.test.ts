// Platform.serve with `tls` (src/platform/_tls/serve_tls.ts over
// tls_listener.ts and tls_conn.ts), on the runtime under test, against clients
// nobody here wrote: curl (with the CA, and with -k as kubelet's HTTPS probe
// connects), `openssl s_client` and Python's ssl. Shown: the handler's answer
// over TLS; mutual TLS under "require" and "request"; old protocols refused;
// a certificate replaced for new connections while an open one keeps
// working; a broken pair refused with the old one still served; clients that
// fail the handshake or send plain HTTP never reach the handler and do not
// harm the server; a client that sends without reading is held back.
// Without openssl, curl or python3 the tests skip and say why.

import assert from "node:assert/strict";
import * as net from "node:net";
import { test } from "node:test";
import { platform } from "../../_helpers/platform.ts";
import {
  curlTls,
  keepAliveClient,
  leafTls,
  missingTlsPeers,
  serialOf,
  servedSerial,
  sharedPemSet,
} from "../../_helpers/tls_peers.ts";
import { runShell } from "../../_helpers/shell.ts";
import { sleep } from "../../_helpers/waits.ts";
import type { RunningServer, ServerTls } from "../../../src/platform/platform.ts";

const skip = { skip: missingTlsPeers("the HTTPS serving tests") };

const certs = sharedPemSet;

/** Serves `hello <n>` (n counts the requests the handler saw) with `tls` over the leaf pair. */
async function serving(
  over: Partial<ServerTls> = {},
): Promise<{ server: RunningServer; calls: () => number }> {
  const set = await certs();
  let calls = 0;
  const server = await platform.serve({
    hostname: "127.0.0.1",
    port: 0,
    handler: () => new Response(`hello ${++calls}\n`),
    tls: leafTls(set, over),
  });
  return { server, calls: () => calls };
}

/** curl with the CA trusted. */
async function withCa(port: number, ...args: string[]) {
  return await curlTls(port, ["--cacert", (await certs()).files.ca, ...args]);
}

test("curl trusting the CA, and curl -k, get the handler's answer", skip, async () => {
  const { server, calls } = await serving();
  try {
    const verified = await withCa(server.port, "-w", " %{http_code} %{ssl_verify_result}");
    assert.equal(verified.stdout, "hello 1\n 200 0", verified.stderr);
    const unverified = await curlTls(server.port, ["-k"]);
    assert.equal(unverified.stdout, "hello 2\n", unverified.stderr);
    assert.equal(calls(), 2);
    // Not trusting the CA, curl refuses the server: it is the certificate served.
    const untrusted = await curlTls(server.port, []);
    assert.notEqual(untrusted.code, 0);
    assert.match(untrusted.stderr, /certificate/);
    assert.equal(await servedSerial(server.port), serialOf((await certs()).files.leaf));
  } finally {
    await server.shutdown(1000);
  }
});

test("the handler is told the TLS client's address", skip, async () => {
  const set = await certs();
  const addresses: string[] = [];
  const server = await platform.serve({
    hostname: "127.0.0.1",
    port: 0,
    handler: (_request, info) => {
      addresses.push(info.remoteAddress);
      return new Response("ok\n");
    },
    tls: leafTls(set),
  });
  try {
    const answer = await withCa(server.port);
    assert.equal(answer.stdout, "ok\n", answer.stderr);
    assert.deepEqual(addresses, ["127.0.0.1"]);
  } finally {
    await server.shutdown(1000);
  }
});

test(
  'clientAuth "require": no client certificate is refused, a CA-signed one is served',
  skip,
  async () => {
    const set = await certs();
    const { server, calls } = await serving({ clientCa: set.pem("ca"), clientAuth: "require" });
    try {
      const without = await withCa(server.port);
      assert.notEqual(without.code, 0);
      assert.match(without.stderr, /alert certificate required|alert handshake failure/);
      const rogue = await withCa(
        server.port,
        "--cert",
        set.files.rogueLeaf,
        "--key",
        set.files.rogueKey,
      );
      assert.notEqual(rogue.code, 0, rogue.stdout);
      const client = await withCa(
        server.port,
        "--cert",
        set.files.client,
        "--key",
        set.files.clientKey,
      );
      assert.equal(client.stdout, "hello 1\n", client.stderr);
      assert.equal(calls(), 1, "only the client with a good certificate reached the handler");
    } finally {
      await server.shutdown(1000);
    }
  },
);

test("clientCa alone means require", skip, async () => {
  const set = await certs();
  const { server } = await serving({ clientCa: set.pem("ca") });
  try {
    assert.notEqual((await withCa(server.port)).code, 0);
    const client = await withCa(
      server.port,
      "--cert",
      set.files.client,
      "--key",
      set.files.clientKey,
    );
    assert.equal(client.stdout, "hello 1\n", client.stderr);
  } finally {
    await server.shutdown(1000);
  }
});

test(
  'clientAuth "request": with or without a good certificate served, one of another CA refused',
  skip,
  async () => {
    const set = await certs();
    const { server, calls } = await serving({ clientCa: set.pem("ca"), clientAuth: "request" });
    try {
      const without = await withCa(server.port);
      assert.equal(without.stdout, "hello 1\n", without.stderr);
      const client = await withCa(
        server.port,
        "--cert",
        set.files.client,
        "--key",
        set.files.clientKey,
      );
      assert.equal(client.stdout, "hello 2\n", client.stderr);
      const rogue = await withCa(
        server.port,
        "--cert",
        set.files.rogueLeaf,
        "--key",
        set.files.rogueKey,
      );
      assert.notEqual(rogue.code, 0, rogue.stdout);
      assert.equal(calls(), 2, "the client with a certificate of another CA reached no handler");
    } finally {
      await server.shutdown(1000);
    }
  },
);

test("TLS 1.1 is refused by the server, and minVersion TLSv1.3 refuses TLS 1.2", skip, async () => {
  const { server } = await serving();
  const strict = await serving({ minVersion: "TLSv1.3" });
  try {
    // The client offers TLS 1.1 at the lowest security level, so a refusal is the server's alert.
    const old = await withCa(server.port, "--tls-max", "1.1", "--ciphers", "DEFAULT@SECLEVEL=0");
    assert.notEqual(old.code, 0);
    assert.match(old.stderr, /alert/);
    const twelve = await withCa(server.port, "--tls-max", "1.2");
    assert.equal(twelve.stdout, "hello 1\n", twelve.stderr);
    const refused = await withCa(strict.server.port, "--tls-max", "1.2");
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /alert/);
    const thirteen = await withCa(strict.server.port, "--tlsv1.3");
    assert.equal(thirteen.stdout, "hello 1\n", thirteen.stderr);
    assert.equal(strict.calls(), 1);
  } finally {
    await server.shutdown(1000);
    await strict.server.shutdown(1000);
  }
});

test(
  "setTls: new connections get the new serial while an open keep-alive one goes on",
  skip,
  async () => {
    const set = await certs();
    const { server } = await serving();
    const client = keepAliveClient(server.port, set.files.ca);
    try {
      const [first, old] = [await client.get(), serialOf(set.files.leaf)];
      const [status, body, count, serial, localPort] = first.split(" ");
      assert.deepEqual([status, body, count, serial], ["200", "hello", "1", old], first);
      const replaced = server.setTls!({
        cert: set.pem("expiring"),
        key: set.pem("leafKey"),
        minVersion: "TLSv1.2",
      });
      const renewed = serialOf(set.files.expiring);
      assert.equal(replaced.serial, renewed);
      assert.equal(await servedSerial(server.port), renewed);
      const again = (await client.get()).split(" ");
      assert.deepEqual(
        again,
        ["200", "hello", "2", old, localPort!],
        "the same connection, its old certificate",
      );
      const fresh = await withCa(server.port, "-w", "%{http_code}");
      assert.equal(fresh.stdout, "hello 3\n200", fresh.stderr);
    } finally {
      client.close();
      await server.shutdown(1000);
    }
  },
);

test(
  "setTls with a key that does not match throws, and the old certificate is still served",
  skip,
  async () => {
    const set = await certs();
    const { server } = await serving();
    try {
      const old = serialOf(set.files.leaf);
      assert.throws(
        () =>
          server.setTls!({
            cert: set.pem("expiring"),
            key: set.pem("clientKey"),
            minVersion: "TLSv1.2",
          }),
        new TypeError(
          `Cannot use the TLS key: it does not match the certificate "CN=localhost, serial ${
            serialOf(set.files.expiring)
          }"`,
        ),
      );
      const cut = set.pem("expiring");
      assert.throws(
        () =>
          server.setTls!({
            cert: cut.slice(0, 200),
            key: set.pem("leafKey"),
            minVersion: "TLSv1.2",
          }),
        TypeError,
      );
      assert.throws(
        () =>
          server.setTls!({
            ...{ cert: cut, key: set.pem("leafKey"), minVersion: "TLSv1.2" },
            clientCa: set.pem("ca"),
          }),
        new TypeError(
          'Cannot change TLS client authentication from "none" to "require" while serving: it takes a restart',
        ),
      );
      assert.equal(await servedSerial(server.port), old);
      const served = await withCa(server.port);
      assert.equal(served.stdout, "hello 1\n", served.stderr);
    } finally {
      await server.shutdown(1000);
    }
  },
);

test(
  "serve refuses a broken pair with a TypeError, and a port in use with EADDRINUSE",
  skip,
  async () => {
    const set = await certs();
    await assert.rejects(
      platform.serve({
        hostname: "127.0.0.1",
        port: 0,
        handler: () => new Response("never"),
        tls: { cert: set.pem("leaf"), key: set.pem("clientKey"), minVersion: "TLSv1.2" },
      }),
      (error: unknown) =>
        error instanceof TypeError && /does not match the certificate/.test(error.message),
    );
    const { server } = await serving();
    try {
      await assert.rejects(
        platform.serve({
          hostname: "127.0.0.1",
          port: server.port,
          handler: () => new Response("never"),
          tls: leafTls(set),
        }),
        (error: unknown) => (error as { code?: unknown }).code === "EADDRINUSE",
      );
    } finally {
      await server.shutdown(1000);
    }
  },
);

/** Opens a TCP connection to `port`, sends `bytes` (if any), and resolves with what came back before it closed or 2 s passed. */
function raw(port: number, bytes?: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      if (bytes !== undefined) socket.write(bytes);
    });
    let got = "";
    socket.on("data", (chunk: Uint8Array) => got += new TextDecoder("latin1").decode(chunk));
    const done = () => resolve(got);
    socket.on("close", done);
    socket.on("error", done);
    setTimeout(() => {
      socket.destroy();
      done();
    }, 2000);
  });
}

test(
  "plain HTTP, garbage and a silent client on the TLS port reach no handler and harm nothing",
  skip,
  async () => {
    const { server, calls } = await serving();
    try {
      const silent = net.connect(server.port, "127.0.0.1"); // a port scanner that never speaks
      silent.on("error", () => {});
      const plain = await raw(server.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      assert.doesNotMatch(plain, /hello/);
      const plainCurl = await runShell(
        `curl -sS --max-time 5 http://127.0.0.1:${server.port}/`,
        ".",
        {},
      );
      assert.notEqual(plainCurl.code, 0);
      assert.doesNotMatch(plainCurl.stdout, /hello/);
      await raw(server.port, "\x16\x03\x01\x00\x05garbage and more garbage\r\n\r\n");
      await raw(server.port, "x".repeat(100_000));
      assert.equal(calls(), 0, "nothing that failed the handshake reached the handler");
      const served = await withCa(server.port);
      assert.equal(served.stdout, "hello 1\n", served.stderr);
      silent.destroy();
    } finally {
      await server.shutdown(1000);
    }
  },
);

test(
  "a client that sends requests without reading answers is held back, and others are served",
  skip,
  async () => {
    const { server } = await serving();
    const set = await certs();
    try {
      // Python pipelines 64 MB of requests and never reads: the server stops
      // reading once its answers back up, so Python's send stalls far short.
      const script = [
        "import socket, ssl, sys",
        `context = ssl.create_default_context(cafile=${JSON.stringify(set.files.ca)})`,
        `raw = socket.create_connection(("127.0.0.1", ${server.port}))`,
        "conn = context.wrap_socket(raw, server_hostname='localhost')",
        "conn.settimeout(3)",
        "chunk = b'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' * 2048",
        "sent = 0",
        "try:",
        "    while sent < 64 * 1024 * 1024:",
        "        conn.sendall(chunk)",
        "        sent += len(chunk)",
        "except Exception:",
        "    pass",
        "print(sent, flush=True)",
        "sys.stdin.read()",
      ].join("\n");
      const { spawn } = await import("node:child_process");
      const child = spawn("python3", ["-c", script], { stdio: ["pipe", "pipe", "inherit"] });
      const sent = await new Promise<number>((resolve) =>
        child.stdout!.on(
          "data",
          (chunk: Uint8Array) => resolve(Number(new TextDecoder().decode(chunk))),
        )
      );
      try {
        console.log(
          `a client that does not read got ${sent} bytes of requests in before it stalled`,
        );
        assert.ok(sent < 32 * 1024 * 1024, `sent ${sent} bytes unread`);
        const other = await withCa(server.port, "-w", " %{http_code}");
        assert.match(other.stdout, /^hello \d+\n 200$/, other.stderr);
      } finally {
        child.stdin!.end();
        child.kill();
      }
      await sleep(100);
    } finally {
      await server.shutdown(1000);
    }
  },
);
