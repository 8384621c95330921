/**
 * The part of the {@link Platform} that is Deno's own: what differs from Bun
 * (starting a process, a TCP connect, the listener, files); the machinery
 * under it is shared (`_process/`, `_http1/`, `_node/`, `_net/`).
 *
 * Nothing here runs at import time, so Bun can load this module without
 * touching the `Deno` global. `mod.ts` imports it on the first call that
 * needs it (BENCHMARKS.md, "`vitals probe` start to exit").
 *
 * @module
 */

import { connectionLimit } from "./_http1/connection_limit.ts";
import { serveHttp1 } from "./_http1/lazy_http1.ts";
import { connectOnce } from "./_net/connect_once.ts";
import { textFileReader } from "./_node/read_capped.ts";
import { supervise } from "./_process/supervise.ts";
import type { Platform } from "./platform.ts";
import { toPlatformError, withPlatformErrors } from "./platform_error.ts";

/** The members this file provides. */
type OwnPart = Pick<Platform, "spawn" | "connect" | "serve" | "readTextFile" | "stat">;

/**
 * Runs a command check's process in a new session and process group
 * (`detached`), so a kill reaches every descendant and a check that signals
 * its own group (`kill 0`, as in `trap 'kill 0' EXIT`) cannot reach vitals.
 *
 * The cost, measured (BENCHMARKS.md, "Cost of a check"): with `detached`,
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
const spawn: Platform["spawn"] = (options) =>
  supervise(options, {
    start(marker) {
      const [program, ...args] = options.argv;
      const child = new Deno.Command(program, {
        args,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        // Merged over vitals' own environment; the marker finds escaped descendants.
        env: { ...options.env, ...marker },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        // A new session and process group, so a kill reaches every descendant.
        detached: true,
      }).spawn();
      const exited = child.status.then((status) => ({ code: status.code, signal: status.signal }));
      return { child, exited };
    },
    killGroup: (pid) => Deno.kill(-pid, "SIGKILL"),
  });

/** The connection limit of both servers (half the descriptors vitals may open). */
const maxConnections = () => connectionLimit(() => Deno.readTextFileSync("/proc/self/limits"));

const serve: Platform["serve"] = (options) => {
  if (options.tls) {
    // HTTPS: node:tls under the same HTTP/1.1 server, loaded only here (_tls/serve_tls.ts).
    const tls = options.tls;
    return import("./_tls/serve_tls.ts").then((module) =>
      module.serveTls({ ...options, tls }, maxConnections())
    );
  }
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: options.hostname, port: options.port, transport: "tcp" });
  } catch (error) {
    return Promise.reject(toPlatformError(error));
  }
  const server = serveHttp1(listener, {
    handler: options.handler,
    hostname: options.hostname,
    maxConnections: maxConnections(),
  });
  return Promise.resolve({
    hostname: listener.addr.hostname,
    port: listener.addr.port,
    shutdown: (graceMs: number) => server.shutdown(graceMs),
  });
};

/**
 * The members of the Deno platform that differ from Bun's (`mod.ts` adds the
 * globals part and the `node:` part); call only when running on Deno.
 */
export function denoPlatform(): OwnPart {
  return {
    spawn,
    connect: (hostname, port, signal) =>
      connectOnce(() => Deno.connect({ hostname, port }), (conn) => conn.close(), signal),
    serve,
    readTextFile: textFileReader((path) => Deno.readTextFile(path)),
    stat: (path) =>
      withPlatformErrors(async () => {
        const info = await Deno.stat(path);
        const mtimeMs = info.mtime?.getTime() ?? 0;
        return { isFile: info.isFile, isDirectory: info.isDirectory, size: info.size, mtimeMs };
      }),
  };
}
