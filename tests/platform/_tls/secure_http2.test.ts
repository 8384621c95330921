// Http2Api.createSecureServer (src/platform/_tls/secure_http2.ts), on the
// runtime under test, against curl (HTTP/2 over TLS, nghttp2) and
// `openssl s_client`: HTTP/2 with ALPN h2 only (an HTTP/1.1-only client is
// refused in the handshake), mutual TLS under "require" and "request", and
// setTls replacing the certificate for new connections or refusing a broken
// pair. grpc-go against the gRPC server built on it is
// tests/scenarios/external/grpc_tls_serving.test.ts. Without openssl, curl or
// python3 the tests skip and say why.

import assert from "node:assert/strict";
import { test } from "node:test";
import { platform } from "../../_helpers/platform.ts";
import {
  curlTls,
  leafTls,
  missingTlsPeers,
  serialOf,
  servedSerial,
  sharedPemSet,
} from "../../_helpers/tls_peers.ts";
import type { Http2SecureServer, ServerTls } from "../../../src/platform/platform.ts";

const skip = { skip: missingTlsPeers("the HTTP/2 TLS serving tests") };

const certs = sharedPemSet;

/** An HTTP/2 TLS server answering `h2 <n>` to every stream, listening on a free port. */
async function serving(
  over: Partial<ServerTls> = {},
): Promise<{ server: Http2SecureServer; port: number; close(): Promise<void> }> {
  const set = await certs();
  const http2 = await platform.http2();
  const server = http2.createSecureServer({
    settings: { maxConcurrentStreams: 10 },
    tls: leafTls(set, over),
  });
  let calls = 0;
  server.on("session", (session) => session.on("error", () => {}));
  server.on("sessionError", () => {});
  server.on("stream", (stream) => {
    stream.respond({ ":status": 200, "content-type": "text/plain" }, {});
    stream.end(new TextEncoder().encode(`h2 ${++calls}\n`));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(typeof address === "object" && address !== null);
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { server, port: address.port, close };
}

async function h2(port: number, ...args: string[]) {
  const set = await certs();
  return await curlTls(port, [
    "--http2",
    "--cacert",
    set.files.ca,
    "-w",
    " %{http_version}",
    ...args,
  ]);
}

test(
  "curl gets an HTTP/2 answer over TLS; an HTTP/1.1-only client is refused in the handshake",
  skip,
  async () => {
    const { port, close } = await serving();
    try {
      const answer = await h2(port);
      assert.equal(answer.stdout, "h2 1\n 2", answer.stderr);
      const old = await curlTls(port, ["--http1.1", "--cacert", (await certs()).files.ca]);
      assert.notEqual(old.code, 0);
      assert.match(old.stderr, /no application protocol/);
      assert.equal((await h2(port)).stdout, "h2 2\n 2");
      assert.equal(await servedSerial(port, "h2"), serialOf((await certs()).files.leaf));
    } finally {
      await close();
    }
  },
);

test(
  'clientAuth "require" refuses a client without a certificate and serves one with a CA-signed one',
  skip,
  async () => {
    const set = await certs();
    const { port, close } = await serving({ clientCa: set.pem("ca"), clientAuth: "require" });
    try {
      assert.notEqual((await h2(port)).code, 0);
      const client = await h2(port, "--cert", set.files.client, "--key", set.files.clientKey);
      assert.equal(client.stdout, "h2 1\n 2", client.stderr);
    } finally {
      await close();
    }
  },
);

test(
  'clientAuth "request" serves clients with or without a good certificate, refuses another CA\'s',
  skip,
  async () => {
    const set = await certs();
    const { port, close } = await serving({ clientCa: set.pem("ca"), clientAuth: "request" });
    try {
      assert.equal((await h2(port)).stdout, "h2 1\n 2");
      const client = await h2(port, "--cert", set.files.client, "--key", set.files.clientKey);
      assert.equal(client.stdout, "h2 2\n 2", client.stderr);
      const rogue = await h2(port, "--cert", set.files.rogueLeaf, "--key", set.files.rogueKey);
      assert.notEqual(rogue.code, 0, rogue.stdout);
      assert.doesNotMatch(rogue.stdout, /h2 \d/);
      assert.equal((await h2(port)).stdout, "h2 3\n 2", "the server goes on");
    } finally {
      await close();
    }
  },
);

test(
  "setTls replaces the certificate for new connections, and refuses a broken pair",
  skip,
  async () => {
    const set = await certs();
    const { server, port, close } = await serving();
    try {
      const renewed = server.setTls({
        cert: set.pem("expiring"),
        key: set.pem("leafKey"),
        minVersion: "TLSv1.2",
      });
      assert.equal(renewed.serial, serialOf(set.files.expiring));
      assert.equal(await servedSerial(port, "h2"), renewed.serial);
      assert.throws(
        () =>
          server.setTls({
            cert: set.pem("leaf"),
            key: set.pem("clientKey"),
            minVersion: "TLSv1.2",
          }),
        /^TypeError: Cannot use the TLS key: it does not match the certificate "CN=localhost, serial /,
      );
      assert.equal(
        await servedSerial(port, "h2"),
        renewed.serial,
        "the broken pair changed nothing",
      );
      assert.equal((await h2(port)).stdout, "h2 1\n 2");
    } finally {
      await close();
    }
  },
);

test("createSecureServer refuses a broken pair with a TypeError", skip, async () => {
  const set = await certs();
  const http2 = await platform.http2();
  assert.throws(
    () =>
      http2.createSecureServer({
        settings: { maxConcurrentStreams: 1 },
        tls: {
          cert: set.pem("leaf").slice(0, 300),
          key: set.pem("leafKey"),
          minVersion: "TLSv1.2",
        },
      }),
    new TypeError(
      'Cannot use the TLS certificate: certificate 1 has no "END CERTIFICATE" line (is the file cut short?)',
    ),
  );
});
