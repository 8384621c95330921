// The tcp check with `tls` (src/checks/tcp.ts, its handshake in
// src/platform/_node/tls_handshake.ts) against `openssl s_server`, out of
// process: a TLS 1.3 server that requires a client certificate refuses a
// client only after the client's part of the handshake (the handshake waits
// for that verdict), so a client without one, or with one the server's CA did
// not sign, is DOWN; a client it accepts, and a server that asks for none, are
// UP without waiting out the timeout. A TLS 1.2 server refuses in the
// handshake itself. Without python3 or openssl, the tests skip and say why.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { after, test } from "node:test";
import { createCheck } from "../../../src/checks/create_check.ts";
import { loadConfig } from "../../../src/config/load.ts";
import type { RunResult } from "../../../src/types.ts";
import { platform } from "../../_helpers/platform.ts";
import { makeCerts, missingPeers, sServer, withPeer } from "../../_helpers/raw_peer.ts";
import { noneEscape } from "../../_helpers/uncaught.ts";

const noPeers = missingPeers("the tcp tls tests against openssl s_server");
const peers = { skip: noPeers };

/** A test against s_server that fails if an error escapes an event callback (a late alert, a close). */
function tlsTest(name: string, body: () => Promise<void>): void {
  test(name, peers, () => noneEscape(body));
}
const certs = noPeers ? undefined : makeCerts();
after(() => certs?.remove());

let configs = 0;

/** Runs a tcp check of 127.0.0.1:`port` with `tls` (a YAML flow mapping), loaded from a file. */
async function runTls(port: number, tls: string, timeout = "5s"): Promise<RunResult> {
  const file = `${certs!.dir}/tcp-${++configs}.yaml`;
  writeFileSync(
    file,
    `checks:\n  - {name: t, type: tcp, host: 127.0.0.1, port: ${port}, timeout: ${timeout}, tls: ${tls}}\n`,
  );
  const config = await loadConfig(file, platform);
  return await createCheck(config.checks[0]!, { platform }).run();
}

/** `s_server` options: the server's certificate, and a client certificate required and verified. */
function requiring(...more: string[]): string[] {
  const { server, ca } = certs!;
  return ["-cert", server.cert, "-key", server.key, "-CAfile", ca, "-Verify", "1", ...more];
}

const q = (path: string) => JSON.stringify(path);

tlsTest(
  "tcp with tls and no client certificate is DOWN against a TLS 1.3 server that requires one",
  async () => {
    await withPeer(sServer(requiring("-verify_return_error")), async (peer) => {
      for (let run = 0; run < 2; run++) {
        const result = await runTls(peer.port, `{ca: ${q(certs!.server.cert)}}`);
        assert.deepEqual([result.status, result.message], [
          "DOWN",
          `TLS handshake with 127.0.0.1:${peer.port} failed: the server requires a client certificate: set tls.cert and tls.key`,
        ]);
      }
    });
  },
);

tlsTest(
  "tcp with tls and a client certificate from a CA the server does not trust is DOWN",
  async () => {
    await withPeer(sServer(requiring("-verify_return_error")), async (peer) => {
      const { stranger, server } = certs!;
      const result = await runTls(
        peer.port,
        `{ca: ${q(server.cert)}, cert: ${q(stranger.cert)}, key: ${q(stranger.key)}}`,
      );
      assert.deepEqual([result.status, result.message], [
        "DOWN",
        `TLS handshake with 127.0.0.1:${peer.port} failed: the server rejected the client certificate (alert: unknown ca)`,
      ]);
    });
  },
);

tlsTest("tcp with tls and a client certificate the server's CA signed is UP", async () => {
  await withPeer(sServer(requiring("-verify_return_error")), async (peer) => {
    const { client, server } = certs!;
    const result = await runTls(
      peer.port,
      `{ca: ${q(server.cert)}, cert: ${q(client.cert)}, key: ${q(client.key)}}`,
    );
    assert.deepEqual(
      [result.status, result.message],
      ["UP", `TLS handshake with 127.0.0.1:${peer.port} ok (TLSv1.3)`],
    );
  });
});

tlsTest(
  "tcp with tls against a TLS 1.2 server that requires a client certificate is DOWN in the handshake",
  async () => {
    await withPeer(sServer(requiring("-verify_return_error", "-no_tls1_3")), async (peer) => {
      const result = await runTls(peer.port, `{ca: ${q(certs!.server.cert)}}`);
      assert.equal(result.status, "DOWN");
      assert.match(
        result.message,
        new RegExp(
          `^TLS handshake with 127\\.0\\.0\\.1:${peer.port} failed: the server ended the handshake`,
        ),
      );
    });
  },
);

tlsTest(
  "tcp with tls against a server that asks for no client certificate is UP, well within its timeout",
  async () => {
    const { server } = certs!;
    for (const tickets of ["2", "0"]) {
      const args = ["-cert", server.cert, "-key", server.key, "-num_tickets", tickets];
      await withPeer(sServer(args), async (peer) => {
        const result = await runTls(peer.port, `{ca: ${q(server.cert)}}`, "10s");
        assert.deepEqual(
          [result.status, result.message],
          ["UP", `TLS handshake with 127.0.0.1:${peer.port} ok (TLSv1.3)`],
        );
        // The wait for a verdict is bounded (200 ms), never the check's timeout.
        assert.ok(result.durationMs < 5_000, `took ${result.durationMs} ms`);
      });
    }
  },
);
