/**
 * The part of each {@link Platform} that needs nothing but the runtime's own
 * globals: its name and version, `fetch`, signals, uncaught errors, the
 * environment, the host name, the arguments, standard input, exiting. `mod.ts` builds the
 * platform from this and loads the rest (`bun.ts` or `deno.ts`: processes,
 * sockets, TLS, files, the servers) on first use.
 *
 * Imports nothing at run time but `uncaught.ts`, which imports nothing
 * either: a static `node:` import anywhere in the program is loaded at
 * start-up by every command of the compiled binary (Bun's bundler hoists
 * them), so none may appear here.
 *
 * @module
 */

import type { Platform } from "../platform.ts";
import { bunUncaught, denoUncaught, type UncaughtProcess } from "./uncaught.ts";

/** The members of {@link Platform} that {@link globalsPlatform} provides. */
export type GlobalsPart = Pick<
  Platform,
  | "runtime"
  | "version"
  | "build"
  | "fetch"
  | "onSignal"
  | "onUncaught"
  | "env"
  | "hostname"
  | "args"
  | "workerFreesMemory"
  | "stderrIsTerminal"
  | "readStdin"
  | "exit"
>;

/** `Platform.readStdin` over the runtime's standard input stream, the reader imported on the call. */
const stdinReader = (stream: () => ReadableStream<Uint8Array>) => (maxBytes: number) =>
  import("./read_stream.ts").then((module) => module.readStream(stream(), maxBytes));

interface BunProcess extends UncaughtProcess {
  readonly env: Record<string, string | undefined>;
  readonly argv: string[];
  readonly stderr: { readonly isTTY?: boolean };
  exit(code: number): never;
  getBuiltinModule(id: "node:os"): { hostname(): string };
}

/** The globals part on Bun; call only when running on Bun. */
export function bunPart(): GlobalsPart {
  const process = (globalThis as unknown as { process: BunProcess }).process;
  const bun = (globalThis as unknown as {
    Bun: { version: string; main: string; stdin: { stream(): ReadableStream<Uint8Array> } };
  }).Bun;
  return {
    runtime: "bun",
    version: bun.version,
    // A compiled binary runs its entry from Bun's embedded file system (Linux and macOS).
    build: bun.main.startsWith("/$bunfs/") ? "bun build --compile" : "source",
    fetch: (url, init) => fetch(url, init),
    onSignal(signal, listener) {
      process.on(signal, listener);
      return () => process.off(signal, listener);
    },
    onUncaught: bunUncaught(process),
    env: () => {
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries(process.env)) {
        if (value !== undefined) env[key] = value;
      }
      return env;
    },
    // `node:os`, reached on the first call: no static `node:` import here (see above).
    hostname: () => process.getBuiltinModule("node:os").hostname(),
    args: () => process.argv.slice(2),
    // BENCHMARKS.md, "Idle memory": loading the config in a worker that is then
    // terminated cut the compiled binary's private memory at idle from
    // 12.8-14.7 to 6.5 MB (`src/config/load_aside.ts`).
    workerFreesMemory: true,
    stderrIsTerminal: () => process.stderr.isTTY === true,
    readStdin: stdinReader(() => bun.stdin.stream()),
    exit: (code) => process.exit(code),
  };
}

/**
 * Deno's fetch refuses the ports the Fetch standard blocks; node:http does
 * not (loaded only for such a port).
 */
async function fetchAnyPort(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (!(error instanceof Error) || !/Requests to port \d+ are blocked/.test(error.message)) {
      throw error;
    }
    const { nodeFetch } = await import("../_node/fetch.ts");
    return await nodeFetch(url, init);
  }
}

/** The globals part on Deno; call only when running on Deno. */
export function denoPart(): GlobalsPart {
  return {
    runtime: "deno",
    version: Deno.version.deno,
    build: Deno.build.standalone ? "deno compile" : "source",
    fetch: fetchAnyPort,
    onSignal(signal, listener) {
      Deno.addSignalListener(signal, listener);
      return () => Deno.removeSignalListener(signal, listener);
    },
    onUncaught: denoUncaught(),
    env: () => Deno.env.toObject(),
    // Asked first: without `--allow-sys`, `Deno.hostname()` throws, or prompts on a terminal.
    hostname: () =>
      Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted"
        ? Deno.hostname()
        : "",
    args: () => [...Deno.args],
    // BENCHMARKS.md, "Idle memory": the same worker left 4 MB more than loading
    // in place on Deno (V8 keeps the memory the worker took).
    workerFreesMemory: false,
    stderrIsTerminal: () => Deno.stderr.isTerminal(),
    readStdin: stdinReader(() => Deno.stdin.readable),
    exit: (code) => Deno.exit(code),
  };
}

/**
 * The globals part for the runtime vitals runs on, or `undefined` on neither.
 *
 * @example
 * ```ts
 * const part = globalsPlatform();
 * console.log(part?.runtime); // "deno" or "bun"
 * ```
 */
export function globalsPlatform(): GlobalsPart | undefined {
  if ("Bun" in globalThis) return bunPart();
  if ("Deno" in globalThis) return denoPart();
  return undefined;
}
