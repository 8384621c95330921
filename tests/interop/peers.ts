/**
 * The interop suite's peers: real servers nobody on this project wrote,
 * started once per test file as processes of their own on 127.0.0.1, and
 * stopped by PID. nginx (HTTP/1.1, HTTPS with a self-signed, a private-CA, an
 * expiring and an expired certificate, HTTP/2), Go's net/http and grpc-go
 * (fixtures/go_peers.go, built offline from Debian's Go), Python's
 * http.server (HTTP/1.0 and 1.1, and on the ports the Fetch standard blocks),
 * `openssl s_server` (TLS, and TLS requiring a client certificate),
 * redis-server, and a raw-socket server that misbehaves (fixtures/misbehave.py).
 * How each starts is in starters.ts.
 *
 * A peer whose tool is missing, or whose fixed port is taken, is left out
 * with the reason: its cases skip and say why.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { type Certificates, makeCertificates } from "../_helpers/certificate_set.ts";
import { missingOpenssl } from "../_helpers/certs.ts";
import { tempDir } from "../_helpers/files.ts";
import type { Endpoint } from "./endpoints.ts";
import { type Proc, stopProc } from "./processes.ts";
import { GOPATH, STARTERS } from "./starters.ts";

/** The running peers: the port of each endpoint, or why it is not there. */
export interface Peers {
  readonly certs: Certificates;
  readonly ports: Partial<Record<Endpoint, number>>;
  readonly missing: Partial<Record<Endpoint, string>>;
  /** Stops every peer by PID and removes the temporary directory. */
  stop(): Promise<void>;
}

/** Whether `program` runs (`args` such as `--version`). */
function runs(program: string, ...args: string[]): boolean {
  const ran = spawnSync(program, args, { encoding: "utf8" });
  return !ran.error && ran.status === 0;
}

const APT = ".ci/run installs it with apt-get";

/** Why each tool the peers need is missing, or `false` when it is there. */
function missingTools(): Record<string, string | false> {
  return {
    nginx: runs("nginx", "-v") ? false : `nginx is not installed; ${APT} install nginx`,
    go: !runs("go", "version")
      ? `go is not installed; ${APT} install golang-go golang-google-grpc-dev`
      : !existsSync(`${GOPATH}/src/google.golang.org/grpc/health/server.go`)
      ? `grpc-go is not in ${GOPATH}; ${APT} install golang-google-grpc-dev`
      : false,
    python3: runs("python3", "--version")
      ? false
      : `python3 is not installed; ${APT} install python3`,
    openssl: false, // checked first: without it there are no certificates and no suite
    "redis-server": runs("redis-server", "--version")
      ? false
      : `redis-server is not installed; ${APT} install redis-server`,
  };
}

/** Why the suite cannot run at all (openssl missing), or `false`; printed, so a skip is never silent. */
export function missingSuite(): string | false {
  return missingOpenssl("the interop suite");
}

/**
 * Starts every peer whose tool is here, at once; makes the certificates
 * first. Takes a second or two (plus the first build of the Go peers: about
 * 40 s without a Go build cache).
 */
export async function startPeers(): Promise<Peers> {
  const dir = await tempDir();
  const certs = makeCertificates(dir);
  const tools = missingTools();
  const procs: Proc[] = [];
  const ports: Partial<Record<Endpoint, number>> = {};
  const missing: Partial<Record<Endpoint, string>> = {};
  await Promise.all(STARTERS.map(async (starter) => {
    const absent = tools[starter.tool];
    try {
      if (absent) throw new Error(absent);
      const started = await starter.start(dir, certs);
      procs.push(...started.procs);
      Object.assign(ports, started.ports);
      Object.assign(missing, started.missing);
    } catch (error) {
      for (const endpoint of starter.endpoints) {
        missing[endpoint] = error instanceof Error ? error.message : String(error);
      }
    }
  }));
  return {
    certs,
    ports,
    missing,
    async stop() {
      await Promise.all(procs.map(stopProc));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
