// http and tabbyapi checks against out-of-process peers that misbehave
// (tests/fixtures/raw_server.py, Python's http.server and `openssl s_server`),
// on the runtime running the tests: peers that are not HTTP servers (garbage,
// a banner, a banner then close, accept then close, accept then reset, TLS to
// a plaintext port and plaintext to a TLS port), and bodies cut short (a reset
// mid-body, a close right after the headers, plain and over TLS). Each is DOWN
// with the same words on every runtime (src/fetch_error.ts,
// src/checks/_http_conditions.ts, src/checks/tabbyapi.ts). Without python3 or
// openssl, the tests skip and say why.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { runCheck } from "../../_helpers/checks.ts";
import { makeCerts, missingPeers, rawServer, sServer, withPeer } from "../../_helpers/raw_peer.ts";

// ---------------------------------------------------------------------------
// Peers that are not HTTP servers

const noPeers = missingPeers("the non-HTTP peer tests");
const peers = { skip: noPeers };
const certs = noPeers ? undefined : makeCerts();
after(() => certs?.remove());

/** What an http check of `url` says (its status must be DOWN). */
async function failure(url: string, extra: Record<string, unknown> = {}): Promise<string> {
  const result = await runCheck({ type: "http", url, method: "GET", timeout: 5000, ...extra });
  assert.equal(result.status, "DOWN", result.message);
  return result.message;
}

for (
  const [mode, what, reason] of [
    ["garbage", "sends garbage", "not an HTTP response"],
    ["banner", "sends an SSH banner", "not an HTTP response"],
    ["banner-close", "sends an SSH banner and closes", "not an HTTP response"],
    ["empty", "accepts and closes without a byte", "connection closed before a response"],
    ["reset", "accepts and resets the connection", "connection closed before a response"],
  ] as const
) {
  test(`an http check of a peer that ${what} is DOWN: ${reason}`, peers, async () => {
    await withPeer(rawServer(mode), async (peer) => {
      const url = `http://127.0.0.1:${peer.port}/`;
      assert.equal(await failure(url), `GET ${url} failed: ${reason}`);
    });
  });
}

test("an https check of a plaintext port is DOWN: TLS handshake failed", peers, async () => {
  await withPeer(rawServer("http.server"), async (peer) => {
    const url = `https://127.0.0.1:${peer.port}/`;
    assert.equal(await failure(url), `GET ${url} failed: TLS handshake failed`);
    assert.equal(
      await failure(url, { tls: { insecureSkipVerify: true, pem: {} } }),
      `GET ${url} failed: TLS handshake failed: the server does not speak TLS (wrong version number)`,
    );
  });
});

test(
  "an http check of a TLS port is DOWN: connection closed before a response",
  peers,
  async () => {
    const { server } = certs!;
    for (
      const peer of [
        () => rawServer("ok", { tls: server }),
        () => sServer(["-cert", server.cert, "-key", server.key]),
      ]
    ) {
      await withPeer(peer(), async (running) => {
        const url = `http://127.0.0.1:${running.port}/`;
        assert.equal(await failure(url), `GET ${url} failed: connection closed before a response`);
      });
    }
  },
);

test(
  "an https check with tls settings of a TLS peer that sends garbage is DOWN: not an HTTP response",
  peers,
  async () => {
    await withPeer(rawServer("garbage", { tls: certs!.server }), async (peer) => {
      const url = `https://127.0.0.1:${peer.port}/`;
      assert.equal(
        await failure(url, { tls: { insecureSkipVerify: true, pem: {} } }),
        `GET ${url} failed: not an HTTP response`,
      );
    });
  },
);

// ---------------------------------------------------------------------------
// Bodies cut short

for (
  const [mode, what] of [
    ["reset-mid-body", "a reset mid-body"],
    ["close-after-headers", "a close right after the headers"],
  ] as const
) {
  test(`a body cut short by ${what} is DOWN with the status, in the same words on every runtime`, {
    skip: noPeers,
  }, async () => {
    for (const tls of [false, true]) {
      await withPeer(rawServer(mode, tls ? { tls: certs!.server } : {}), async (peer) => {
        const result = await runCheck({
          type: "http",
          url: `${tls ? "https" : "http"}://127.0.0.1:${peer.port}/`,
          method: "GET",
          bodyContains: "never there",
          ...(tls ? { tls: { insecureSkipVerify: true, pem: {} } } : {}),
        });
        assert.deepEqual([result.status, result.message], [
          "DOWN",
          "HTTP 200, but the body could not be read: the connection failed before its end",
        ], tls ? "over TLS" : "plain");
      });
    }
  });
}

test(
  "a tabbyapi check whose body is cut short is DOWN: the status seen and that the body could not be read",
  peers,
  async () => {
    await withPeer(rawServer("reset-mid-body"), async (peer) => {
      const url = `http://127.0.0.1:${peer.port}`;
      const result = await runCheck({
        type: "tabbyapi",
        url,
        path: "/health",
        requireModel: false,
      });
      assert.equal(result.status, "DOWN");
      assert.equal(
        result.message,
        `HTTP 200 from ${url}/health, but the body could not be read: the connection failed before its end`,
      );
    });
  },
);
