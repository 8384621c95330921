// `vitals probe` and `vitals maint` over https (src/cli/served_tls.ts), run in
// this process through the command runner against `openssl s_server`, a TLS
// server nobody here wrote, out of process (its -www status page answers 200):
// VITALS_TLS=1 on 127.0.0.1 passing a self-signed certificate without
// verifying it, as kubelet's HTTPS probe does; --cacert (and VITALS_CACERT)
// passing with the right CA and failing with another, saying the certificate
// is not trusted; a server that requires a client certificate failing probe
// without --cert and --key, naming them, and passing it with them; cleartext
// sent to the TLS port hinting at VITALS_TLS. Without python3 or openssl the
// tests skip and say why. Against vitals itself (source, binary): tests/e2e/probe_tls.test.ts.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { type CliRun, runCliHere } from "../_helpers/cli.ts";
import { platform } from "../_helpers/platform.ts";
import { makeCerts, missingPeers, sServer, withPeer } from "../_helpers/raw_peer.ts";

const noPeers = missingPeers("the probe over https tests against openssl s_server");
const peers = { skip: noPeers };
const certs = noPeers ? undefined : makeCerts();
after(() => certs?.remove());

/** Runs `vitals <args>` in this process with `env` as its whole environment. */
function vitals(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCliHere(args, { ...platform, env: () => ({ ...env }) });
}

/** s_server options: the self-signed server certificate for 127.0.0.1. */
function serving(...more: string[]): string[] {
  return ["-cert", certs!.server.cert, "-key", certs!.server.key, ...more];
}

test(
  "VITALS_TLS=1 probes 127.0.0.1 over https, its self-signed certificate unverified",
  peers,
  async () => {
    await withPeer(sServer(serving()), async (peer) => {
      const env = { VITALS_TLS: "1", VITALS_PORT: String(peer.port) };
      assert.deepEqual(await vitals(["probe"], env), { code: 0, stdout: "", stderr: "" });
      assert.deepEqual(await vitals(["probe", "--group", "all"], { ...env, VITALS_TLS: "true" }), {
        code: 0,
        stdout: "",
        stderr: "",
      });
    });
  },
);

test(
  "--cacert with the server's CA passes; another CA fails: certificate not trusted",
  peers,
  async () => {
    await withPeer(sServer(serving()), async (peer) => {
      const url = `https://127.0.0.1:${peer.port}/health/ready/simple`;
      const trusted = await vitals(["probe", "--url", url, "--cacert", certs!.server.cert]);
      assert.deepEqual(trusted, { code: 0, stdout: "", stderr: "" });
      const fromEnv = await vitals(["probe", "--url", url], { VITALS_CACERT: certs!.server.cert });
      assert.equal(fromEnv.code, 0, fromEnv.stderr);
      const other = await vitals(["probe", "--url", url, "--cacert", certs!.ca]);
      assert.equal(other.code, 1);
      assert.match(
        other.stderr,
        new RegExp(
          `^vitals probe: ${url.replaceAll(".", "\\.")} cannot connect: ` +
            "TLS handshake failed: certificate not trusted: ",
        ),
      );
      // maint reads the same options: it fails the handshake the same way, sending nothing.
      const maint = await vitals(["maint", "status"], {
        VITALS_URL: `https://127.0.0.1:${peer.port}`,
        VITALS_CACERT: certs!.ca,
      });
      assert.equal(maint.code, 1);
      assert.match(
        maint.stderr,
        /^vitals maint: https:\/\/127\.0\.0\.1:\d+\/maintenance cannot connect: TLS handshake failed: certificate not trusted: /,
      );
    });
  },
);

test(
  "a server that requires a client certificate fails probe without --cert and --key, passes it with them",
  peers,
  async () => {
    const requiring = serving("-CAfile", certs!.ca, "-Verify", "1", "-verify_return_error");
    await withPeer(sServer(requiring), async (peer) => {
      const env = { VITALS_TLS: "1", VITALS_PORT: String(peer.port) };
      const without = await vitals(["probe"], env);
      assert.equal(without.code, 1);
      assert.equal(
        without.stderr,
        `vitals probe: https://127.0.0.1:${peer.port}/health/ready/simple cannot connect: ` +
          "TLS handshake failed: the server requires a client certificate: set --cert and --key",
      );
      const { cert, key } = certs!.client;
      const withPair = await vitals(["probe", "--cert", cert, "--key", key], env);
      assert.deepEqual(withPair, { code: 0, stdout: "", stderr: "" });
      const fromEnv = await vitals(["probe"], { ...env, VITALS_CERT: cert, VITALS_KEY: key });
      assert.equal(fromEnv.code, 0, fromEnv.stderr);
      // A certificate no CA of the server's signed is refused.
      const { cert: strangerCert, key: strangerKey } = certs!.stranger;
      const stranger = await vitals(["probe", "--cert", strangerCert, "--key", strangerKey], env);
      assert.equal(stranger.code, 1);
      assert.match(
        stranger.stderr,
        /cannot connect: TLS handshake failed: the server rejected the client certificate/,
      );
    });
  },
);

test("cleartext to a TLS port fails with a hint to set VITALS_TLS", peers, async () => {
  await withPeer(sServer(serving()), async (peer) => {
    const result = await vitals(["probe", "--timeout", "3s"], { VITALS_PORT: String(peer.port) });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /\(if the port serves TLS: set VITALS_TLS=1, or give an https:\/\/ URL\)$/,
    );
  });
});
