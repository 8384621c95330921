// Why a request failed, in the same words on every runtime
// (describeFetchError in src/fetch_error.ts): the runtimes' own words, as each
// one was seen to fail (Deno's fetch: hyper and rustls; Bun's fetch: its
// codes; node:http on either: Node's codes), and a message that quotes the
// URL has its credentials scrubbed. Http checks against out-of-process peers
// that are not HTTP servers, giving these words, are in
// tests/scenarios/external/misbehaving_peers.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { describeFetchError } from "../src/fetch_error.ts";

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

test("a fetch error that quotes the URL has its credentials scrubbed", () => {
  const error = new TypeError("fetch failed", {
    cause: new Error("weird failure for url (http://admin:s3cret@10.0.0.5/ready)"),
  });
  assert.equal(describeFetchError(error), "weird failure for url (http://***@10.0.0.5/ready)");
});
