// The grpc check over TLS (src/checks/grpc.ts with tls settings), against a
// node:http2 server on 127.0.0.1 whose certificate openssl makes here: a
// trusted CA is UP (with serverName too), an untrusted certificate is DOWN
// unless insecureSkipVerify. Without openssl, the tests skip with the reason.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import * as http2 from "node:http2";
import type * as net from "node:net";
import { after, before, describe, test } from "node:test";
import { encodeFrame } from "../../../src/grpc/wire/frame.ts";
import { encodeResponse } from "../../../src/grpc/wire/proto.ts";
import { missingOpenssl, selfSigned } from "../../_helpers/certs.ts";
import { runCheck } from "../../_helpers/checks.ts";
import { tempDir } from "../../_helpers/files.ts";
import { SERVING } from "../../_helpers/grpc_client.ts";

/** A grpc check of 127.0.0.1:`port`, with `extra` settings. */
function grpcCheck(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: "grpc", host: "127.0.0.1", port, service: "", ...extra };
}

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
});
