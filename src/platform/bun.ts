/**
 * The {@link Platform} implementation for Bun.
 *
 * The few Bun APIs used are typed locally, so `deno check` needs no Bun type
 * package, and nothing touches the `Bun` global at import time. `node:`
 * modules are imported where used, never statically: Bun's bundler hoists a
 * static one to the start of every command (see `mod.ts`).
 *
 * @module
 */

import { connectionLimit } from "./_connection_limit.ts";
import { bunPart } from "./_globals.ts";
import { nodeFetchTls } from "./_node_fetch.ts";
import { tlsHandshake } from "./_tls_handshake.ts";
import { MARKER_VARIABLE, newMarker } from "./_reap.ts";
import { readCapped } from "./_read_capped.ts";
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
  readonly version: string;
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

async function spawn(options: SpawnOptions): Promise<SpawnResult> {
  const marker = newMarker();
  let child: BunSubprocess;
  try {
    child = bun().spawn({
      cmd: [...options.argv],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      // Bun replaces the environment rather than merging it. The marker finds
      // escaped descendants.
      env: { ...process().env, ...options.env, [MARKER_VARIABLE]: marker },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      // A new session and process group, so a kill reaches every descendant.
      detached: true,
      // Bun reads a pipe ahead of JavaScript, unbounded: under CPU load a flood
      // (`yes`) queued tens of MB before the JS-side cap could stop it. Bun
      // enforces this natively, killing the process past it.
      maxBuffer: options.outputCap,
    });
  } catch (error) {
    throw toPlatformError(error);
  }
  return await supervise(
    {
      pid: child.pid,
      stdout: child.stdout,
      stderr: child.stderr,
      exited: child.exited.then(() => ({ code: child.exitCode, signal: child.signalCode })),
      killGroup() {
        try {
          process().kill(-child.pid, "SIGKILL");
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
    const pending = bun().connect({ hostname, port, socket: { data() {}, error() {} } });
    const socket = await unlessAborted(pending, signal, (s) => s.end());
    socket.end();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw toPlatformError(error);
  }
}

/**
 * Serves with vitals' own HTTP/1.1 server for Bun (`_bun_server.ts` says why
 * not `Bun.serve`), loaded here so that `check` and `validate` load no server.
 */
async function serve(options: ServeOptions): Promise<RunningServer> {
  const [{ serveBun }, { readFileSync }] = await Promise.all([
    import("./_bun_server.ts"),
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
}

async function readTextFile(path: string, maxBytes = Infinity): Promise<string> {
  try {
    if (maxBytes === Infinity) return await bun().file(path).text();
    return await readCapped(path, maxBytes);
  } catch (error) {
    throw toPlatformError(error);
  }
}

async function stat(path: string): Promise<FileInfo> {
  try {
    const { stat: statFile } = await import("node:fs/promises");
    const info = await statFile(path);
    return {
      isFile: info.isFile(),
      isDirectory: info.isDirectory(),
      size: info.size,
      mtimeMs: info.mtimeMs,
    };
  } catch (error) {
    throw toPlatformError(error);
  }
}

/** Creates the Bun platform; call only when running on Bun. */
export function bunPlatform(): Platform {
  return {
    ...bunPart(),
    spawn,
    connect,
    // Bun's fetch takes TLS settings but does not show the certificate; as on Deno.
    fetchTls: nodeFetchTls,
    handshake: tlsHandshake,
    serve,
    readTextFile,
    stat,
  };
}
