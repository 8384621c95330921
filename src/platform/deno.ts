/**
 * The {@link Platform} implementation for Deno.
 *
 * Nothing here runs at import time, so Bun can load this module without
 * touching the `Deno` global.
 *
 * @module
 */

import { connectionLimit } from "./_connection_limit.ts";
import { serveHttp1 } from "./_http1_lazy.ts";
import { readCapped } from "./_read_capped.ts";
import { denoPart } from "./_globals.ts";
import { nodeFetchTls } from "./_node_fetch.ts";
import { tlsHandshake } from "./_tls_handshake.ts";
import { MARKER_VARIABLE, newMarker } from "./_reap.ts";
import { supervise, unlessAborted } from "./_supervise.ts";
import {
  type FileInfo,
  type Platform,
  type RunningServer,
  type ServeOptions,
  type SpawnOptions,
  type SpawnResult,
} from "./platform.ts";
import { toPlatformError } from "./platform_error.ts";

/**
 * Runs a command check's process in a new session and process group
 * (`detached`), so a kill reaches every descendant and a check that signals
 * its own group (`kill 0`, as in `trap 'kill 0' EXIT`) cannot reach vitals.
 *
 * The cost, measured (BENCHMARKS.md, issue 18, section 3): with `detached`,
 * Deno 2.9.6 forks the whole runtime (`clone` without `CLONE_VM`, then
 * `setsid`) instead of `posix_spawn`, so a check costs 3-5x the spawn itself,
 * about 4 ms of CPU a run. Deno has no other way to give a child its own
 * group (neither `Deno.Command` nor `node:child_process`). Without it a check
 * cost 1.1-1.5x the spawn, but the check shared vitals' group: a `kill 0` in
 * a check stopped vitals (a restarted sidecar, for a habit of shell scripts),
 * Ctrl-C and the terminal reached the checks, and a descendant that cleared
 * its environment after its parent had exited escaped. That is worse than
 * about 4 ms of CPU per run, so the group stays.
 */
async function spawn(options: SpawnOptions): Promise<SpawnResult> {
  const [program, ...args] = options.argv;
  const marker = newMarker();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      // Merged over vitals' own environment; the marker finds escaped descendants.
      env: { ...options.env, [MARKER_VARIABLE]: marker },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      // A new session and process group, so a kill reaches every descendant.
      detached: true,
    }).spawn();
  } catch (error) {
    throw toPlatformError(error);
  }
  return await supervise(
    {
      pid: child.pid,
      stdout: child.stdout,
      stderr: child.stderr,
      exited: child.status.then((status) => ({ code: status.code, signal: status.signal })),
      killGroup() {
        try {
          Deno.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      },
    },
    options,
    marker,
  );
}

async function connect(hostname: string, port: number, signal: AbortSignal): Promise<void> {
  try {
    const conn = await unlessAborted(Deno.connect({ hostname, port }), signal, (c) => c.close());
    conn.close();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw toPlatformError(error);
  }
}

function serve(options: ServeOptions): Promise<RunningServer> {
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: options.hostname, port: options.port, transport: "tcp" });
  } catch (error) {
    return Promise.reject(toPlatformError(error));
  }
  const server = serveHttp1(listener, {
    handler: options.handler,
    hostname: options.hostname,
    maxConnections: connectionLimit(() => Deno.readTextFileSync("/proc/self/limits")),
  });
  return Promise.resolve({
    hostname: listener.addr.hostname,
    port: listener.addr.port,
    shutdown: (graceMs: number) => server.shutdown(graceMs),
  });
}

async function readTextFile(path: string, maxBytes = Infinity): Promise<string> {
  try {
    if (maxBytes === Infinity) return await Deno.readTextFile(path);
    return await readCapped(path, maxBytes);
  } catch (error) {
    throw toPlatformError(error);
  }
}

async function stat(path: string): Promise<FileInfo> {
  try {
    const info = await Deno.stat(path);
    return {
      isFile: info.isFile,
      isDirectory: info.isDirectory,
      size: info.size,
      mtimeMs: info.mtime?.getTime() ?? 0,
    };
  } catch (error) {
    throw toPlatformError(error);
  }
}

/** Creates the Deno platform; call only when running on Deno. */
export function denoPlatform(): Platform {
  return {
    ...denoPart(),
    spawn,
    connect,
    // Deno's fetch and connectTls can neither skip verification per connection
    // nor show the certificate; node:https and node:tls can, as on Bun.
    fetchTls: nodeFetchTls,
    handshake: tlsHandshake,
    serve,
    readTextFile,
    stat,
  };
}
