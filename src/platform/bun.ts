/**
 * The part of the {@link Platform} that is Bun's own: what differs from Deno
 * (starting a process, a TCP connect, the server, files); the machinery
 * under it is shared (`_process/`, `_http1/`, `_node/`, `_net/`).
 *
 * The few Bun APIs used are typed locally, so `deno check` needs no Bun type
 * package, and nothing touches the `Bun` global at import time. `node:`
 * modules are imported where used, never statically: Bun's bundler hoists a
 * static one to the start of every command (BENCHMARKS.md, "`vitals probe`
 * start to exit"), as `mod.ts` imports this module only on the first call
 * that needs it.
 *
 * @module
 */

import { connectionLimit } from "./_http1/connection_limit.ts";
import { connectOnce } from "./_net/connect_once.ts";
import { textFileReader } from "./_node/read_capped.ts";
import { supervise } from "./_process/supervise.ts";
import type { Platform, RunningServer, ServerTls } from "./platform.ts";
import { toPlatformError, withPlatformErrors } from "./platform_error.ts";

/** The members this file provides. */
type OwnPart = Pick<Platform, "spawn" | "connect" | "serve" | "readTextFile" | "stat">;

interface BunSubprocess {
  readonly pid: number;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly exited: Promise<number>;
  readonly signalCode: string | null;
  readonly exitCode: number | null;
}

interface BunSocket {
  end(): void;
}

interface BunApi {
  spawn(options: {
    cmd: string[];
    cwd?: string;
    env?: Record<string, string | undefined>;
    stdin: "ignore";
    stdout: "pipe";
    stderr: "pipe";
    detached: boolean;
    maxBuffer: number;
  }): BunSubprocess;
  connect(options: {
    hostname: string;
    port: number;
    socket: { data(): void; error?(socket: BunSocket, error: Error): void };
  }): Promise<BunSocket>;
  file(path: string): { text(): Promise<string> };
}

interface BunProcess {
  readonly env: Record<string, string | undefined>;
  kill(pid: number, signal: string): void;
}

function bun(): BunApi {
  return (globalThis as unknown as { Bun: BunApi }).Bun;
}

/** Node's `process`, a global on Bun. */
function process(): BunProcess {
  return (globalThis as unknown as { process: BunProcess }).process;
}

const spawn: Platform["spawn"] = (options) =>
  supervise(options, {
    start(marker) {
      const child = bun().spawn({
        cmd: [...options.argv],
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        // Bun replaces the environment rather than merging it. The marker finds
        // escaped descendants.
        env: { ...process().env, ...options.env, ...marker },
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
        // A new session and process group, so a kill reaches every descendant.
        detached: true,
        // Bun reads a pipe ahead of JavaScript, unbounded: under CPU load a
        // flood (`yes`) queued tens of MB before the JS-side cap could stop it.
        // Bun enforces this natively, killing the process past it
        // (BENCHMARKS.md, "The Kubernetes recipe's memory", whose config has a
        // check that floods its output).
        maxBuffer: options.outputCap,
      });
      const exited = child.exited.then(() => ({ code: child.exitCode, signal: child.signalCode }));
      return { child, exited };
    },
    killGroup: (pid) => process().kill(-pid, "SIGKILL"),
  });

/**
 * Serves with vitals' own HTTP/1.1 server for Bun (`_http1/bun_server.ts`
 * says why not `Bun.serve`), loaded here so that `check` and `validate` load
 * no server (BENCHMARKS.md, "`vitals probe` start to exit": the one-shot
 * `vitals check`).
 */
const serve: Platform["serve"] = async (options) => {
  if (options.tls) return await serveTlsOnBun({ ...options, tls: options.tls });
  const [{ serveBun }, { readFileSync }] = await Promise.all([
    import("./_http1/bun_server.ts"),
    import("node:fs"),
  ]);
  try {
    return serveBun(bun(), {
      ...options,
      maxConnections: connectionLimit(() => readFileSync("/proc/self/limits", "utf8")),
    });
  } catch (error) {
    throw toPlatformError(error);
  }
};

/**
 * HTTPS: `node:tls` under vitals' HTTP/1.1 server, as on Deno
 * (`_tls/serve_tls.ts`): `Bun.listen` cannot change its certificate while
 * listening.
 */
async function serveTlsOnBun(
  options: Parameters<Platform["serve"]>[0] & { tls: ServerTls },
): Promise<RunningServer> {
  const [{ serveTls }, { readFileSync }] = await Promise.all([
    import("./_tls/serve_tls.ts"),
    import("node:fs"),
  ]);
  return await serveTls(options, connectionLimit(() => readFileSync("/proc/self/limits", "utf8")));
}

/**
 * The members of the Bun platform that differ from Deno's (`mod.ts` adds the
 * globals part and the `node:` part); call only when running on Bun.
 */
export function bunPlatform(): OwnPart {
  return {
    spawn,
    connect: (hostname, port, signal) =>
      connectOnce(
        () => bun().connect({ hostname, port, socket: { data() {}, error() {} } }),
        (socket) => socket.end(),
        signal,
      ),
    serve,
    readTextFile: textFileReader((path) => bun().file(path).text()),
    stat: (path) =>
      withPlatformErrors(async () => {
        const info = await (await import("node:fs/promises")).stat(path);
        const mtimeMs = info.mtimeMs;
        return { isFile: info.isFile(), isDirectory: info.isDirectory(), size: info.size, mtimeMs };
      }),
  };
}
