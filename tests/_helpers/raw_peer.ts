/**
 * Out-of-process peers for the client-side regression tests: the
 * misbehaving raw socket server (tests/fixtures/raw_server.py, Python),
 * Python's own `http.server` (through the same script), and `openssl
 * s_server`; certificates for them (a server certificate for 127.0.0.1, a
 * CA and a client certificate it signed, and a client certificate nobody
 * signed); and a peer on a blocked port, when it is free. Each start waits
 * for the peer to say its port; each peer ends when its standard input
 * closes, on stop or when the test process dies, and a stop that does not
 * end it within 2 s kills it by its PID.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { authority, keyAndRequest, missingOpenssl, selfSigned, signBetween } from "./certs.ts";
import { ROOT } from "./files.ts";
import { missingTool } from "./tools.ts";

/** A running peer. */
export interface Peer {
  readonly port: number;
  /** Ends the peer (closing its input; SIGKILL by PID after 2 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Why tests needing python3 cannot run, printed with `what`, or `false` when they can. */
export function missingPython(what: string): string | false {
  return missingTool(what, "python3", ["--version"]);
}

/** Why the tests of `what` cannot run (python3 or openssl missing), or `false`. */
export function missingPeers(what: string): string | false {
  return missingPython(what) || missingOpenssl(what);
}

/**
 * Starts `argv` and waits (at most 10 s) until its output matches `portLine`,
 * whose first group is the port it listens on.
 */
function startPeer(argv: string[], portLine: RegExp, cwd = ROOT): Promise<Peer> {
  const [program, ...args] = argv;
  const child: ChildProcess = spawn(program!, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    // A peer ends when its standard input closes (as when this process dies);
    // one that does not within 2 s is killed by its PID.
    child.stdin?.end();
    const timer = setTimeout(() => running() && child.kill("SIGKILL"), 2_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<Peer>((resolve, reject) => {
    let output = "";
    let started = false;
    const timer = setTimeout(() => fail(new Error(`no port within 10 s:\n${output}`)), 10_000);
    const fail = (error: Error) => {
      if (started) return;
      started = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${argv.join(" ")}: ${error.message}`)));
    };
    const read = (chunk: Uint8Array) => {
      output += new TextDecoder().decode(chunk);
      const match = portLine.exec(output);
      if (match && !started) {
        started = true;
        clearTimeout(timer);
        resolve({ port: Number(match[1]), stop });
      }
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.on("error", fail);
    child.on("exit", (code) => fail(new Error(`exited with ${code}:\n${output}`)));
  });
}

/** Options for {@link rawServer}. */
export interface RawOptions {
  /** Listen on this port instead of one the system picks. */
  readonly port?: number;
  /** Serve over TLS with this certificate and key (files). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/**
 * Starts tests/fixtures/raw_server.py in `mode` (see the script: `ok`,
 * `garbage`, `reset-mid-body`, `http.server`, ...) on 127.0.0.1.
 */
export function rawServer(mode: string, options: RawOptions = {}): Promise<Peer> {
  return startPeer([
    "python3",
    "tests/fixtures/raw_server.py",
    mode,
    ...(options.port === undefined ? [] : ["--port", String(options.port)]),
    ...(options.tls === undefined ? [] : ["--tls", options.tls.cert, options.tls.key]),
  ], /^(\d+)\n/);
}

/**
 * Starts `openssl s_server` on 127.0.0.1 with `args` added (`-cert`, `-key`,
 * `-Verify 1` ...), answering each request with its status page (`-www`).
 */
export function sServer(args: string[]): Promise<Peer> {
  // s_server -www does not end with its input: a shell ends it when the input does.
  const script = 'openssl s_server "$@" </dev/null & pid=$!; cat >/dev/null; kill "$pid"; wait';
  return startPeer(
    ["sh", "-c", script, "s_server", "-accept", "127.0.0.1:0", "-www", ...args],
    /ACCEPT 127\.0\.0\.1:(\d+)/,
  );
}

/** Certificate files made for these tests, in a directory of their own. */
export interface PeerCerts {
  readonly dir: string;
  /** The server's certificate (for IP 127.0.0.1, self-signed) and key. */
  readonly server: { readonly cert: string; readonly key: string };
  /** A CA, and a client certificate it signed. */
  readonly ca: string;
  readonly client: { readonly cert: string; readonly key: string };
  /** A client certificate no CA here signed. */
  readonly stranger: { readonly cert: string; readonly key: string };
  /** Reads one of the files. */
  read(path: string): string;
  /** Deletes the directory. */
  remove(): void;
}

const DAY_MS = 86_400_000;

/** Makes the certificates of {@link PeerCerts} with openssl. */
export function makeCerts(): PeerCerts {
  const dir = mkdtempSync(`${tmpdir()}/vitals-peers-`);
  selfSigned(dir, "server", "127.0.0.1", "IP:127.0.0.1");
  authority(dir, "ca", "/CN=vitals test CA", 30);
  selfSigned(dir, "stranger", "stranger", "DNS:stranger.invalid");
  keyAndRequest(dir, "client", "/CN=client");
  writeFileSync(`${dir}/client.ext`, "extendedKeyUsage=clientAuth\n");
  const now = Date.now();
  signBetween(dir, "client", "ca", "client.crt", now - DAY_MS, now + 30 * DAY_MS, "client.ext");
  const pair = (name: string) => ({ cert: `${dir}/${name}.crt`, key: `${dir}/${name}.key` });
  return {
    dir,
    server: pair("server"),
    ca: `${dir}/ca.crt`,
    client: pair("client"),
    stranger: pair("stranger"),
    read: (path) => readFileSync(path, "utf8"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Python's http.server on `port` (a port the Fetch standard blocks), or why
 * it cannot run there (printed, for the skip): starting the peer is how the
 * port is tried, so nothing can take it in between.
 */
export async function blockedPortPeer(
  port: number,
): Promise<{ peer: Peer; skip: false } | { peer: undefined; skip: string }> {
  const missing = missingPython(`the blocked-port ${port} case`);
  if (missing) return { peer: undefined, skip: missing };
  try {
    return { peer: await rawServer("http.server", { port }), skip: false };
  } catch (error) {
    const reason = `127.0.0.1:${port} is not free to listen on: ${
      error instanceof Error ? error.message.split("\n").at(-2) ?? error.message : error
    }`;
    console.log(`skipping the blocked-port ${port} case: ${reason}`);
    return { peer: undefined, skip: reason };
  }
}

/** Starts a peer, runs `body` with it and stops it, even when `body` fails. */
export async function withPeer<T>(
  peer: Promise<Peer>,
  body: (peer: Peer) => Promise<T>,
): Promise<T> {
  const running = await peer;
  try {
    return await body(running);
  } finally {
    await running.stop();
  }
}
