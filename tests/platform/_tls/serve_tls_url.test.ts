// The URL a handler sees for a request that came over TLS (Platform.serve with
// `tls`, src/platform/_tls/serve_tls.ts handing the scheme to
// src/platform/_http1/codec.ts): `https://`, for an origin-form target and for
// an absolute-form one, sent by curl, a client nobody here wrote; an
// absolute-form `http://` target over TLS is refused with a 400, as any other
// scheme is on a plain port. A plain port's requests keep `http://`.
// Without openssl, curl or python3 the tests skip and say why.

import assert from "node:assert/strict";
import process from "node:process";
import { test } from "node:test";
import { platform } from "../../_helpers/platform.ts";
import { curlTls, leafTls, missingTlsPeers, pemSet } from "../../_helpers/tls_peers.ts";
import { runShell } from "../../_helpers/shell.ts";

const skip = { skip: missingTlsPeers("the HTTPS request URL tests") };

test("a request over TLS reaches the handler with an https:// URL", skip, async () => {
  const set = await pemSet();
  const seen: string[] = [];
  const server = await platform.serve({
    hostname: "127.0.0.1",
    port: 0,
    handler: (request) => {
      seen.push(request.url);
      return new Response("ok\n");
    },
    tls: leafTls(set),
  });
  try {
    const origin = `https://localhost:${server.port}`;
    const plainForm = await curlTls(server.port, ["--cacert", set.files.ca], "/health/ready?x=1");
    assert.equal(plainForm.stdout, "ok\n", plainForm.stderr);
    const absolute = await curlTls(server.port, [
      "--cacert",
      set.files.ca,
      "--request-target",
      `${origin}/health/live`,
    ]);
    assert.equal(absolute.stdout, "ok\n", absolute.stderr);
    const wrongScheme = await curlTls(server.port, [
      "--cacert",
      set.files.ca,
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "--request-target",
      `http://localhost:${server.port}/health`,
    ]);
    assert.equal(wrongScheme.stdout, "400", wrongScheme.stderr);
    assert.deepEqual(seen, [`${origin}/health/ready?x=1`, `${origin}/health/live`]);
  } finally {
    await server.shutdown(1000);
  }
});

test("a request on a plain port keeps its http:// URL", skip, async () => {
  const seen: string[] = [];
  const server = await platform.serve({
    hostname: "127.0.0.1",
    port: 0,
    handler: (request) => {
      seen.push(request.url);
      return new Response("ok\n");
    },
  });
  try {
    const ran = await runShell(
      `curl -sS --max-time 5 http://127.0.0.1:${server.port}/health/simple`,
      process.cwd(),
      {},
      10_000,
    );
    assert.equal(ran.stdout, "ok\n", ran.stderr);
    assert.deepEqual(seen, [`http://127.0.0.1:${server.port}/health/simple`]);
  } finally {
    await server.shutdown(1000);
  }
});
