/**
 * The part of each {@link Platform} that needs nothing but the runtime's own
 * globals: its name and version, `fetch`, signals, uncaught errors, the
 * environment, the arguments, exiting. `mod.ts` builds the platform from this and loads the
 * rest (`bun.ts` or `deno.ts`: processes, sockets, TLS, files, the server) on
 * first use, so `vitals probe`, `--version` and `--help` start without it.
 *
 * Imports nothing at run time: a static `node:` import anywhere in the
 * program is loaded at start-up by every command of the compiled binary
 * (Bun's bundler hoists them), so none may appear here.
 *
 * @module
 */

import type { Platform, UncaughtListener } from "./platform.ts";

/** The members of {@link Platform} that {@link globalsPlatform} provides. */
export type GlobalsPart = Pick<
  Platform,
  | "runtime"
  | "version"
  | "fetch"
  | "onSignal"
  | "onUncaught"
  | "env"
  | "args"
  | "stderrIsTerminal"
  | "exit"
>;

interface BunProcess {
  readonly env: Record<string, string | undefined>;
  readonly argv: string[];
  readonly stderr: { readonly isTTY?: boolean };
  on(name: string, listener: (value: unknown) => void): unknown;
  off(name: string, listener: (value: unknown) => void): unknown;
  exit(code: number): never;
}

/**
 * {@link Platform.onUncaught} over a runtime `hook`, which routes the
 * runtime's uncaught errors to `deliver` until the function it returns is
 * called. The hook is in place only while a listener is: with none, the
 * runtime ends the process as it always does. Only the latest listener hears
 * an error, and one that throws is ignored (a throw from the hook itself
 * would end the process, the very thing it is there to stop).
 */
function uncaughtRouter(hook: (deliver: UncaughtListener) => () => void): Platform["onUncaught"] {
  const listeners: UncaughtListener[] = [];
  let unhook: (() => void) | undefined;
  const deliver: UncaughtListener = (error, kind) => {
    try {
      listeners.at(-1)?.(error, kind);
    } catch {
      // Nothing is left to report a failing listener to.
    }
  };
  return (listener) => {
    // A wrapper of its own, so the same function installed twice is removed once.
    const entry: UncaughtListener = (error, kind) => listener(error, kind);
    listeners.push(entry);
    unhook ??= hook(deliver);
    return () => {
      const index = listeners.indexOf(entry);
      if (index === -1) return;
      listeners.splice(index, 1);
      if (listeners.length > 0) return;
      unhook?.();
      unhook = undefined;
    };
  };
}

/** One router per process: two would both hook the runtime, and both hear every error. */
let uncaught: Platform["onUncaught"] | undefined;

/**
 * Bun (as Node): a listener for `uncaughtException` or `unhandledRejection`
 * replaces the default, which prints the error and exits.
 */
function bunUncaught(process: BunProcess): Platform["onUncaught"] {
  return uncaught ??= uncaughtRouter((deliver) => {
    const onException = (error: unknown) => deliver(error, "exception");
    const onRejection = (reason: unknown) => deliver(reason, "rejection");
    process.on("uncaughtException", onException);
    process.on("unhandledRejection", onRejection);
    return () => {
      process.off("uncaughtException", onException);
      process.off("unhandledRejection", onRejection);
    };
  });
}

/**
 * Deno: uncaught errors are dispatched on `globalThis` as `error` and
 * `unhandledrejection` events, and `preventDefault()` stops the exit.
 */
function denoUncaught(): Platform["onUncaught"] {
  return uncaught ??= uncaughtRouter((deliver) => {
    const onError = (event: ErrorEvent) => {
      event.preventDefault();
      deliver(event.error, "exception");
    };
    const onRejection = (event: PromiseRejectionEvent) => {
      event.preventDefault();
      deliver(event.reason, "rejection");
    };
    globalThis.addEventListener("error", onError);
    globalThis.addEventListener("unhandledrejection", onRejection);
    return () => {
      globalThis.removeEventListener("error", onError);
      globalThis.removeEventListener("unhandledrejection", onRejection);
    };
  });
}

/** The globals part on Bun; call only when running on Bun. */
export function bunPart(): GlobalsPart {
  const process = (globalThis as unknown as { process: BunProcess }).process;
  const bun = (globalThis as unknown as { Bun: { version: string } }).Bun;
  return {
    runtime: "bun",
    version: bun.version,
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
    args: () => process.argv.slice(2),
    stderrIsTerminal: () => process.stderr.isTTY === true,
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
    const { nodeFetch } = await import("./_node_fetch.ts");
    return await nodeFetch(url, init);
  }
}

/** The globals part on Deno; call only when running on Deno. */
export function denoPart(): GlobalsPart {
  return {
    runtime: "deno",
    version: Deno.version.deno,
    fetch: fetchAnyPort,
    onSignal(signal, listener) {
      Deno.addSignalListener(signal, listener);
      return () => Deno.removeSignalListener(signal, listener);
    },
    onUncaught: denoUncaught(),
    env: () => Deno.env.toObject(),
    args: () => [...Deno.args],
    stderrIsTerminal: () => Deno.stderr.isTerminal(),
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
