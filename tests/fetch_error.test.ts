// Why a request failed, in the same words on every runtime
// (describeFetchError in src/fetch_error.ts): first the runtimes' own words,
// as each one was seen to fail (Deno's fetch: hyper and rustls; Bun's fetch:
// its codes; node:http on either: Node's codes), then http checks against
// out-of-process peers that are not HTTP servers (tests/fixtures/raw_server.py
// and Python's http.server), on the runtime running the tests: garbage, a
// banner, a banner then close, accept then close, accept then reset, TLS to a
// plaintext port and plaintext to a TLS port (raw_server.py and openssl
// s_server).

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { describeFetchError } from "../src/fetch_error.ts";
import { runCheck } from "./helpers.ts";
import { makeCerts, missingPeers, rawServer, sServer, withPeer } from "./raw_peer.ts";

/** A failure as `fetch` throws it: a TypeError whose cause says what happened. */
function fetchFailure(message: string, code?: string): TypeError {
  return new TypeError("fetch failed", { cause: Object.assign(new Error(message), { code }) });
}

/** Each runtime's words, as seen, and the reason they must give. */
const SEEN: readonly [string, Error, string][] = [
  [
    "Deno, https:// to a plaintext port",
    fetchFailure(
      "error sending request for url (https://127.0.0.1:38745/): client error (Connect): " +
        "received corrupt message of type InvalidContentType",
    ),
    "TLS handshake failed",
  ],
  [
    "Deno, a peer that sends an alert",
    fetchFailure("client error (Connect): received fatal alert: HandshakeFailure"),
    "TLS handshake failed",
  ],
  [
    "Bun, https:// to a plaintext port",
    Object.assign(
      new TypeError("EPROTO: The TLS handshake failed. Does the server speak TLS on this port?"),
      { code: "EPROTO" },
    ),
    "TLS handshake failed",
  ],
  [
    "Deno, garbage",
    fetchFailure(
      "error sending request from 127.0.0.1:59070 for http://127.0.0.1:43405/ (127.0.0.1:43405): " +
        "client error (SendRequest): invalid HTTP version parsed",
    ),
    "not an HTTP response",
  ],
  [
    "Deno, a bad Content-Length",
    fetchFailure(
      "error sending request from 127.0.0.1:52162 for http://127.0.0.1:39995/ (127.0.0.1:39995): " +
        "client error (SendRequest): invalid content-length parsed",
    ),
    "not an HTTP response",
  ],
  [
    "Bun, a bad Content-Length",
    Object.assign(new TypeError('InvalidContentLength fetching "http://127.0.0.1:45423/".'), {
      code: "InvalidContentLength",
    }),
    "not an HTTP response",
  ],
  [
    "Bun, garbage",
    Object.assign(new TypeError('Malformed_HTTP_Response fetching "http://127.0.0.1:45423/".'), {
      code: "Malformed_HTTP_Response",
    }),
    "not an HTTP response",
  ],
  [
    "node:http, garbage",
    Object.assign(new Error("Parse Error: Expected HTTP/, RTSP/ or ICE/"), {
      code: "HPE_INVALID_CONSTANT",
    }),
    "not an HTTP response",
  ],
  [
    "node:http, a head over its limit",
    Object.assign(new Error("Parse Error: Header overflow"), { code: "HPE_HEADER_OVERFLOW" }),
    "response head too large",
  ],
  [
    "Deno, accept then close",
    fetchFailure(
      "error sending request from 127.0.0.1:36180 for http://127.0.0.1:41419/ (127.0.0.1:41419): " +
        "client error (SendRequest): connection closed before message completed",
    ),
    "connection closed before a response",
  ],
  [
    "Deno, accept then reset",
    fetchFailure("Connection reset by peer (os error 104)"),
    "connection closed before a response",
  ],
  [
    "node:http, accept then close",
    Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
    "connection closed before a response",
  ],
  [
    "Deno, garbage from a host whose name holds 'ssl'",
    fetchFailure(
      "error sending request for url (http://ssl-gateway.internal:8080/tls/ready): " +
        "client error (SendRequest): invalid HTTP version parsed",
    ),
    "not an HTTP response",
  ],
];

for (const [seen, error, reason] of SEEN) {
  test(`a fetch failure is described the same on every runtime: ${seen}`, () => {
    assert.equal(describeFetchError(error), reason);
  });
}

// ---------------------------------------------------------------------------
// Against peers that are not HTTP servers

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
