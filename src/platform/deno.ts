/**
 * The {@link Platform} implementation for Deno.
 *
 * Nothing here runs at import time, so Bun can load this module without
 * touching the `Deno` global.
 *
 * @module
 */

import { drainInto, TailBuffer } from "../tail_buffer.ts";
import {
  type Platform,
  type RunningServer,
  type ServeOptions,
  type SignalName,
  type SpawnOptions,
  type SpawnResult,
  toPlatformError,
} from "./types.ts";

async function spawn(options: SpawnOptions): Promise<SpawnResult> {
  const [program, ...args] = options.argv;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.env === undefined ? {} : { env: { ...options.env } }),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      // A new session and process group, so a kill reaches every descendant.
      detached: true,
    }).spawn();
  } catch (error) {
    throw toPlatformError(error);
  }
  const kill = () => {
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  if (options.signal.aborted) kill();
  options.signal.addEventListener("abort", kill, { once: true });
  const tail = new TailBuffer(options.outputLimit);
  try {
    const [status] = await Promise.all([
      child.status,
      drainInto(child.stdout, tail),
      drainInto(child.stderr, tail),
    ]);
    return {
      code: status.signal === null ? status.code : null,
      signal: status.signal,
      output: tail.text(),
      outputBytes: tail.total,
    };
  } finally {
    options.signal.removeEventListener("abort", kill);
    // The direct child is done; kill any background descendants it left.
    kill();
  }
}

async function connect(hostname: string, port: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const pending = Deno.connect({ hostname, port });
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const conn = await Promise.race([pending, aborted]);
    conn.close();
  } catch (error) {
    // A connection that completes after the abort must still be closed.
    pending.then((conn) => conn.close(), () => {});
    if (signal.aborted) throw signal.reason;
    throw toPlatformError(error);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

function serve(options: ServeOptions): Promise<RunningServer> {
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      onListen() {},
      onError(error) {
        console.error(`Request failed: ${error instanceof Error ? error.message : error}`);
        return new Response(JSON.stringify({ status: "DOWN", details: ["internal error"] }), {
          status: 503,
          headers: { "content-type": "application/json" },
        });
      },
    }, options.handler);
  } catch (error) {
    return Promise.reject(toPlatformError(error));
  }
  return Promise.resolve({
    hostname: server.addr.hostname,
    port: server.addr.port,
    async shutdown(graceMs: number) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceful = server.shutdown();
      const expired = new Promise<"expired">((resolve) => {
        timer = setTimeout(() => resolve("expired"), graceMs);
      });
      try {
        await Promise.race([graceful, expired]);
      } finally {
        clearTimeout(timer);
      }
    },
  });
}

function onSignal(signal: SignalName, listener: () => void): () => void {
  Deno.addSignalListener(signal, listener);
  return () => Deno.removeSignalListener(signal, listener);
}

async function readTextFile(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw toPlatformError(error);
  }
}

/** Creates the Deno platform; call only when running on Deno. */
export function denoPlatform(): Platform {
  return {
    runtime: "deno",
    version: Deno.version.deno,
    spawn,
    connect,
    serve,
    onSignal,
    readTextFile,
    env: () => Deno.env.toObject(),
    args: () => [...Deno.args],
    stderrIsTerminal: () => Deno.stderr.isTerminal(),
    exit: (code) => Deno.exit(code),
  };
}
