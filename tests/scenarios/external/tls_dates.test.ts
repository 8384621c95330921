// Why a certificate was not trusted, said the same on every runtime
// (src/platform/_node/tls_dates.ts): against `openssl s_server` (out of process)
// presenting a certificate that expired 3 days ago, signed by a CA the check
// trusts, the tcp handshake and the https request both say "certificate has
// expired". Deno's own error says only "unable to verify the first
// certificate"; Bun's says it expired already.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { makeCertificates } from "../../_helpers/certificate_set.ts";
import { tempDir } from "../../_helpers/files.ts";
import { platform } from "../../_helpers/platform.ts";
import { missingPeers, sServer, withPeer } from "../../_helpers/raw_peer.ts";

const skip = missingPeers("the expired-certificate cases");

async function expiredServer() {
  const certs = makeCertificates(await tempDir());
  const peer = await sServer(["-cert", certs.expired, "-key", certs.leafKey]);
  return { peer, ca: readFileSync(certs.ca, "utf8"), leaf: readFileSync(certs.leaf, "utf8") };
}

test(
  "a tcp handshake with a trusted but expired certificate says it has expired",
  { skip },
  async () => {
    const { peer, ca } = await expiredServer();
    await withPeer(Promise.resolve(peer), async () => {
      const error = await platform.handshake("127.0.0.1", peer.port, AbortSignal.timeout(5_000), {
        ca,
      }).then(() => undefined, (error: unknown) => error);
      assert.ok(error instanceof Error, "the handshake fails");
      assert.equal(
        error.message,
        "TLS handshake failed: certificate not trusted: certificate has expired",
      );
    });
  },
);

test(
  "an https request to a trusted but expired certificate says it has expired",
  { skip },
  async () => {
    const { peer, ca } = await expiredServer();
    await withPeer(Promise.resolve(peer), async () => {
      const error = await platform.fetchTls(
        `https://127.0.0.1:${peer.port}/`,
        { signal: AbortSignal.timeout(5_000) },
        { ca },
      ).then(() => undefined, (error: unknown) => error);
      assert.ok(error instanceof Error, "the request fails");
      assert.equal(
        error.message,
        "TLS handshake failed: certificate not trusted: certificate has expired",
      );
    });
  },
);

test("a certificate that is valid but untrusted keeps the runtime's reason", { skip }, async () => {
  const certs = makeCertificates(await tempDir());
  await withPeer(sServer(["-cert", certs.rogueChain, "-key", certs.rogueKey]), async (peer) => {
    const error = await platform.handshake("127.0.0.1", peer.port, AbortSignal.timeout(5_000), {
      ca: readFileSync(certs.ca, "utf8"),
    }).then(() => undefined, (error: unknown) => error);
    assert.ok(error instanceof Error, "the handshake fails");
    assert.match(error.message, /^TLS handshake failed: certificate not trusted: /);
    assert.doesNotMatch(error.message, /expired|not yet valid/);
  });
});
