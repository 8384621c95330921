// Nothing a real server does can end vitals: `vitals serve` as a real child
// process, on the runtime running the tests and as the compiled binary, with
// checks against peers nobody on the project wrote, all out of process:
// Python's http.server over TLS (checked with tls settings, so through
// node:https) and on blocked port 6000 (through node:http on Deno; skipped,
// with the reason, when the port is taken), the misbehaving raw server
// (tests/fixtures/raw_server.py: a large body, an endless body, a redirect,
// an empty body then close, a body cut short, garbage), and openssl s_server
// requiring a client certificate under TLS 1.3. Each case's verdict and
// message are asserted over several evaluations, then that vitals is still
// running and that /health/simple answers.
//
// On Deno, before the body bridge (src/platform/_node/body.ts), the first
// evaluation ended the process; the tcp check with tls called the server that
// refuses a client without a certificate UP on every build.

import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import process from "node:process";
import { after, test } from "node:test";
import { tempDir } from "../_helpers/files.ts";
import { compileArgs } from "../_helpers/binary.ts";
import { fetchJson, runVitals, serveConfig, stop, vitalsCommand } from "../_helpers/processes.ts";
import {
  blockedPortPeer,
  makeCerts,
  missingPeers,
  type Peer,
  rawServer,
  sServer,
} from "../_helpers/raw_peer.ts";

const RUNTIME = "Bun" in globalThis ? "bun" : "deno";
const skip = missingPeers("the client fault tests");
const certs = skip ? undefined : makeCerts();
const BLOCKED_PORT = 6000;
const blocked = skip ? undefined : await blockedPortPeer(BLOCKED_PORT);

const started: Peer[] = blocked?.peer ? [blocked.peer] : [];
let binaryDir: string | undefined;
after(async () => {
  await Promise.all(started.map((peer) => peer.stop()));
  certs?.remove();
  if (binaryDir !== undefined) await rm(binaryDir, { recursive: true, force: true });
});

/** Starts a peer that lives until the end of the file. */
async function peer(starting: Promise<Peer>): Promise<number> {
  const running = await starting;
  started.push(running);
  return running.port;
}

/** One check of the config and what every evaluation must say of it. */
interface Case {
  readonly yaml: string;
  readonly status: "UP" | "DOWN";
  readonly message: string;
}

let cases: Promise<Record<string, Case>> | undefined;

/** The checks, against peers started once for both targets. */
function allCases(): Promise<Record<string, Case>> {
  cases ??= (async () => {
    const { server, client, ca } = certs!;
    const tls = { tls: server };
    const skipVerify = "tls: {insecureSkipVerify: true}";
    const https = (port: number) => `type: http, url: "https://127.0.0.1:${port}/"`;
    const [pythonTls, big, endless, redirect, empty, cut, garbage, pythonPlain, strict] =
      await Promise.all([
        peer(rawServer("http.server", tls)),
        peer(rawServer("big", tls)),
        peer(rawServer("endless", tls)),
        peer(rawServer("redirect", tls)),
        peer(rawServer("empty-body", tls)),
        peer(rawServer("close-after-headers", tls)),
        peer(rawServer("garbage")),
        peer(rawServer("http.server")),
        peer(sServer([
          ...["-cert", server.cert, "-key", server.key, "-CAfile", ca],
          ...["-Verify", "1", "-verify_return_error"],
        ])),
      ]);
    const all: Record<string, Case> = {
      "python-tls": {
        yaml: `${https(pythonTls)}, ${skipVerify}`,
        status: "UP",
        message: "HTTP 200",
      },
      "large-body": {
        yaml: `${https(big)}, ${skipVerify}, bodyContains: needle`,
        status: "DOWN",
        message: 'HTTP 200, but the body does not contain "needle" (read the first 65536 bytes)',
      },
      "endless-body": {
        yaml: `${https(endless)}, ${skipVerify}`,
        status: "UP",
        message: "HTTP 200",
      },
      redirect: { yaml: `${https(redirect)}, ${skipVerify}`, status: "UP", message: "HTTP 302" },
      "empty-body": { yaml: `${https(empty)}, ${skipVerify}`, status: "UP", message: "HTTP 200" },
      "cut-body": {
        yaml: `${https(cut)}, ${skipVerify}, bodyContains: x`,
        status: "DOWN",
        message: "HTTP 200, but the body could not be read: the connection failed before its end",
      },
      garbage: {
        yaml: `type: http, url: "http://127.0.0.1:${garbage}/"`,
        status: "DOWN",
        message: `GET http://127.0.0.1:${garbage}/ failed: not an HTTP response`,
      },
      "tls-to-plain": {
        yaml: https(pythonPlain),
        status: "DOWN",
        message: `GET https://127.0.0.1:${pythonPlain}/ failed: TLS handshake failed`,
      },
      "tcp-no-cert": {
        yaml: `type: tcp, host: 127.0.0.1, port: ${strict}, tls: {ca: "${server.cert}"}`,
        status: "DOWN",
        message: `TLS handshake with 127.0.0.1:${strict} failed: ` +
          "the server requires a client certificate: set tls.cert and tls.key",
      },
      "tcp-with-cert": {
        yaml: `type: tcp, host: 127.0.0.1, port: ${strict}, ` +
          `tls: {ca: "${server.cert}", cert: "${client.cert}", key: "${client.key}"}`,
        status: "UP",
        message: `TLS handshake with 127.0.0.1:${strict} ok (TLSv1.3)`,
      },
    };
    if (blocked?.peer) {
      all["blocked-port"] = {
        yaml: `type: http, url: "http://127.0.0.1:${BLOCKED_PORT}/"`,
        status: "UP",
        message: "HTTP 200",
      };
    }
    return all;
  })();
  return cases;
}

/** Runs `vitals serve` with `command` against every case; asserts each evaluation and that vitals lives. */
async function serveAgainstPeers(command: string[], runtime: string): Promise<void> {
  const all = await allCases();
  const yaml = "cache: {ttl: 0}\nchecks:\n" +
    Object.entries(all).map(([name, item]) => `  - {name: ${name}, ${item.yaml}}\n`).join("");
  const vitals = await serveConfig("client-faults.yaml", yaml, { command });
  try {
    assert.match(vitals.stderr, new RegExp(`listening on .* checks, ${runtime} `));
    const expected = Object.entries(all).map(([name, item]) => [name, item.status, item.message])
      .sort();
    for (let evaluation = 0; evaluation < 4; evaluation++) {
      const { status, body } = await fetchJson(`${vitals.url}/health`).catch((error) => {
        throw new Error(`vitals stopped answering (${error}); its stderr:\n${vitals.stderr}`);
      });
      assert.equal(status, 503, "some checks are DOWN");
      const seen = body.checks.map((check) => [check.name, check.status, check.message]).sort();
      assert.deepEqual(seen, expected, `evaluation ${evaluation + 1}`);
    }
    assert.equal(vitals.child.exitCode, null, `vitals exited:\n${vitals.stderr}`);
    const simple = await fetch(`${vitals.url}/health/simple`);
    assert.equal(simple.status, 503);
    assert.deepEqual(await simple.json(), { status: "DOWN" });
    assert.doesNotMatch(vitals.stderr, /Uncaught|TypeError/, vitals.stderr);
  } finally {
    await stop(vitals);
  }
}

test(`${RUNTIME}: vitals serve outlives misbehaving peers and gives each its verdict`, {
  skip,
  timeout: 120_000,
}, async () => {
  await serveAgainstPeers(vitalsCommand(), RUNTIME);
});

/** Bun itself when the tests run on Bun; otherwise the pinned Bun from npm. */
function bunCommand(): string[] {
  return "Bun" in globalThis ? [process.execPath] : ["npx", "-y", "bun@1.4.4"];
}

test("binary: vitals serve outlives misbehaving peers and gives each its verdict", {
  skip,
  timeout: 300_000,
}, async () => {
  // Built into a directory of this file's own: other test files rebuild dist/test/ as they run.
  binaryDir = await tempDir();
  const out = `${binaryDir}/vitals`;
  const built = await runVitals(compileArgs(out), { command: bunCommand(), timeoutMs: 240_000 });
  assert.equal(built.code, 0, `bun build --compile failed:\n${built.stdout}${built.stderr}`);
  await serveAgainstPeers([out], "bun");
});
