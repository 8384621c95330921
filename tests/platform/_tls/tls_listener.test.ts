// The TLS listener (src/platform/_tls/tls_listener.ts) on the runtime under
// test, with Python as the peer: a client that connects and says nothing (a
// port scanner), or stops halfway through its ClientHello, is closed once the
// handshake timeout passes (neither runtime closes it by itself), and never
// reaches `accept`; a client that completes its handshake does; closing the
// listener ends a waiting `accept`. Without openssl, curl or python3 the tests
// skip and say why.

import assert from "node:assert/strict";
import { test } from "node:test";
import { listenTls } from "../../../src/platform/_tls/tls_listener.ts";
import { runShell } from "../../_helpers/shell.ts";
import { leafTls, missingTlsPeers, sharedPemSet } from "../../_helpers/tls_peers.ts";

const skip = { skip: missingTlsPeers("the TLS listener tests") };

const certs = sharedPemSet;

/** Python connects, sends `hex` (bytes), and prints how many seconds passed until the server closed. */
function closedAfter(port: number, hex: string): Promise<number> {
  const script = [
    "import socket, time",
    `s = socket.create_connection(("127.0.0.1", ${port}))`,
    `s.sendall(bytes.fromhex("${hex}"))`,
    "s.settimeout(10)",
    "start = time.monotonic()",
    "try:",
    "    while s.recv(4096): pass",
    "except ConnectionResetError:",
    "    pass",
    "print(round(time.monotonic() - start, 3))",
  ].join("\n");
  return runShell(`python3 -c '${script}'`, ".", {}, 15_000).then((ran) => Number(ran.stdout));
}

test(
  "a silent client and a half-sent ClientHello are closed after the handshake timeout, never accepted",
  skip,
  async () => {
    const set = await certs();
    const listener = await listenTls(
      "127.0.0.1",
      0,
      leafTls(set),
      500,
    );
    let accepted = 0;
    const accepting = (async () => {
      try {
        for (;;) {
          const conn = await listener.accept();
          accepted++;
          conn.close();
        }
      } catch (error) {
        return error;
      }
    })();
    try {
      const [silent, half] = await Promise.all([
        closedAfter(listener.port, ""),
        closedAfter(listener.port, "16030100c8010000c40303"),
      ]);
      for (const seconds of [silent, half]) {
        assert.ok(seconds >= 0.3 && seconds < 5, `closed after ${seconds} s`);
      }
      assert.equal(accepted, 0);
      // A client that completes its handshake is accepted.
      const curl = await runShell(
        `curl -sk --max-time 3 https://127.0.0.1:${listener.port}/ -o /dev/null`,
        ".",
        {},
        10_000,
      );
      assert.equal(accepted, 1, curl.stderr);
    } finally {
      listener.close();
    }
    const ended = await accepting;
    assert.ok(ended instanceof Error && /closed/.test(ended.message), String(ended));
  },
);
