/**
 * The body bridge of the platform's fallback fetch (src/platform/_node/body.ts,
 * under src/platform/_node/fetch.ts), with a real `node:http` client against
 * out-of-process peers that misbehave (tests/fixtures/raw_server.py): a reset
 * mid-body, a close right after the headers, an endless body cancelled early,
 * a large body read slowly, a body cancelled at once; and checks through
 * `node:https` and `node:http` whose bodies are never read, against Python's
 * `http.server` over TLS and on blocked port 6000. On Deno every one of these
 * used to end the process (an event callback calling a closed stream
 * controller). Without python3 or openssl, the tests skip and say why.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type IncomingMessage, request } from "node:http";
import { after, test } from "node:test";
import { bodyStream, QUEUE_BYTES } from "../../../src/platform/_node/body.ts";
import { nodeFetch, nodeFetchTls } from "../../../src/platform/_node/fetch.ts";
import { runCheck } from "../../_helpers/checks.ts";
import { sleep } from "../../_helpers/waits.ts";
import {
  blockedPortPeer,
  makeCerts,
  missingPeers,
  rawServer,
  withPeer,
} from "../../_helpers/raw_peer.ts";
import { noneEscape } from "../../_helpers/uncaught.ts";

const noPeers = missingPeers("the body bridge tests");
const peers = { skip: noPeers };
const certs = noPeers ? undefined : makeCerts();
after(() => certs?.remove());

/** How long late events (after an error or a cancel) are given to arrive and do harm. */
const SETTLE_MS = 300;

/**
 * A test against the peers that fails if an error escapes an event callback
 * while it runs or in the {@link SETTLE_MS} after.
 */
function bridgeTest(name: string, body: () => Promise<void>): void {
  test(name, peers, () => noneEscape(body, SETTLE_MS));
}

/** GETs `/` from 127.0.0.1:`port` with node:http; resolves with the response, its body unread. */
function get(port: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const sent = request({ host: "127.0.0.1", port, path: "/", agent: false }, resolve);
    sent.on("error", reject); // stays: the socket may fail after the response
    sent.end();
  });
}

/** Reads `stream` to its end: the bytes, or the error it ended with. */
async function drain(
  stream: ReadableStream<Uint8Array>,
  pauseMs = 0,
): Promise<{ bytes: number; text: string; error?: unknown }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.length;
      if (pauseMs > 0) await sleep(pauseMs);
    }
  } catch (error) {
    return { bytes, text: "", error };
  }
  const all = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return { bytes, text: new TextDecoder().decode(all) };
}

bridgeTest(
  "a body reset mid-way errors the stream after what arrived, and no late event throws",
  async () => {
    await withPeer(rawServer("reset-mid-body"), async (peer) => {
      const message = await get(peer.port);
      const read = await drain(bodyStream(message));
      assert.ok(read.error instanceof Error, "the read must fail");
      assert.ok(read.bytes <= 16_384, `read ${read.bytes} bytes of a body cut after 16384`);
    });
  },
);

bridgeTest(
  "a body whose connection closes right after the headers errors the stream",
  async () => {
    await withPeer(rawServer("close-after-headers"), async (peer) => {
      const message = await get(peer.port);
      assert.equal(message.headers["content-length"], "100000");
      const read = await drain(bodyStream(message));
      assert.ok(read.error instanceof Error, "a body 100000 bytes short must not end cleanly");
      assert.equal(read.bytes, 0);
    });
  },
);

bridgeTest(
  "an endless body is paused once the queue is full, and a cancel destroys it for good",
  async () => {
    await withPeer(rawServer("endless"), async (peer) => {
      const message = await get(peer.port);
      const stream = bodyStream(message);
      await sleep(SETTLE_MS); // nobody reads: the queue fills and the message pauses
      assert.equal(message.isPaused(), true, "the message must be paused while the queue is full");
      const reader = stream.getReader();
      let queued = 0;
      // What the queue held: read it without waiting for more to arrive.
      while (queued < 4 * QUEUE_BYTES) {
        const next = await Promise.race([reader.read(), sleep(50).then(() => undefined)]);
        if (next === undefined || next.done) break;
        queued += next.value.length;
      }
      assert.ok(queued > 0, "the queue held nothing");
      // A pull resumes the message, which keeps the data coming while it is cancelled.
      await reader.cancel();
      await sleep(SETTLE_MS); // 'data' events after the cancel must be ignored
      assert.equal(message.destroyed, true);
    });
  },
);

bridgeTest(
  "a 1 MiB body read slowly arrives whole: the message is paused and resumed",
  async () => {
    await withPeer(rawServer("big"), async (peer) => {
      const message = await get(peer.port);
      const pause = message.pause.bind(message);
      let pauses = 0;
      message.pause = () => {
        pauses++;
        return pause();
      };
      const read = await drain(bodyStream(message), 2);
      assert.equal(read.error, undefined);
      assert.equal(read.bytes, 1024 * 1024);
      assert.ok(read.text.endsWith("aaaaneedle"));
      assert.ok(pauses > 0, "a slow reader must pause the message");
    });
  },
);

bridgeTest(
  "a body cancelled as soon as the headers arrive ignores the 'data' and 'end' that follow",
  async () => {
    for (const mode of ["ok", "empty-body", "redirect", "big"]) {
      await withPeer(rawServer(mode), async (peer) => {
        const message = await get(peer.port);
        await bodyStream(message).cancel();
        await sleep(SETTLE_MS / 3);
        assert.equal(message.destroyed, true, mode);
      });
    }
  },
);

bridgeTest(
  "responses over node:https whose bodies are dropped unread never end the process",
  async () => {
    const tls = { cert: certs!.server.cert, key: certs!.server.key };
    for (const mode of ["http.server", "endless", "big", "redirect", "empty-body"]) {
      await withPeer(rawServer(mode, { tls }), async (peer) => {
        for (let run = 0; run < 3; run++) {
          const { response } = await nodeFetchTls(
            `https://127.0.0.1:${peer.port}/`,
            { signal: AbortSignal.timeout(5_000) },
            { insecureSkipVerify: true },
          );
          assert.ok(
            response.status === 200 || response.status === 302,
            `${mode}: ${response.status}`,
          );
          await response.body?.cancel();
        }
      });
    }
  },
);

bridgeTest(
  "an https check with tls settings against Python's http.server over TLS is UP, run after run",
  async () => {
    const tls = { cert: certs!.server.cert, key: certs!.server.key };
    await withPeer(rawServer("http.server", { tls }), async (peer) => {
      for (let run = 0; run < 4; run++) {
        const result = await runCheck({
          type: "http",
          url: `https://127.0.0.1:${peer.port}/`,
          method: "GET",
          tls: { insecureSkipVerify: true, pem: {} },
        });
        assert.deepEqual([result.status, result.message], ["UP", "HTTP 200"]);
      }
    });
  },
);

/** The second blocked port: 10080 is the first section's, which may run at the same time. */
const BLOCKED_PEER_PORT = 6000;
const blocked = noPeers ? undefined : await blockedPortPeer(BLOCKED_PEER_PORT);
after(() => blocked?.peer?.stop());

test("an http check to Python's http.server on blocked port 6000 is UP, run after run", {
  skip: noPeers || blocked?.skip,
}, async () => {
  await noneEscape(async () => {
    for (let run = 0; run < 4; run++) {
      const result = await runCheck({
        type: "http",
        url: `http://127.0.0.1:${BLOCKED_PEER_PORT}/`,
        method: "GET",
      });
      assert.deepEqual([result.status, result.message], ["UP", "HTTP 200"]);
    }
    // And through the fallback directly, its body dropped while it still arrives.
    const response = await nodeFetch(`http://127.0.0.1:${BLOCKED_PEER_PORT}/`, {
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(response.status, 200);
    await response.body?.cancel();
  }, SETTLE_MS);
});
