/**
 * The two runtime calls `main.ts` needs before anything else is loaded:
 * listening for a signal and exiting. Written against the runtimes' own
 * globals and importing nothing, so the handlers are installed within
 * microseconds of vitals' first line running (the rest of the platform loads
 * afterwards, see `mod.ts`).
 *
 * @module
 */

/** What `main.ts` uses before the platform is loaded. */
export interface EarlyRuntime {
  onSignal(name: "SIGTERM" | "SIGINT" | "SIGHUP", listener: () => void): () => void;
  exit(code: number): never;
}

interface DenoGlobals {
  addSignalListener(name: string, listener: () => void): void;
  removeSignalListener(name: string, listener: () => void): void;
  exit(code: number): never;
}

interface ProcessGlobals {
  on(name: string, listener: () => void): unknown;
  off(name: string, listener: () => void): unknown;
  exit(code: number): never;
}

/**
 * The early calls for the runtime vitals runs on (Deno, else Bun's `process`).
 *
 * @example
 * ```ts ignore
 * const runtime = earlyRuntime();
 * runtime.onSignal("SIGHUP", () => console.error("held until the command is ready"));
 * ```
 */
export function earlyRuntime(): EarlyRuntime {
  const deno = (globalThis as { Deno?: DenoGlobals }).Deno;
  if (deno) {
    return {
      onSignal(name, listener) {
        deno.addSignalListener(name, listener);
        return () => deno.removeSignalListener(name, listener);
      },
      exit: (code) => deno.exit(code),
    };
  }
  const process = (globalThis as unknown as { process: ProcessGlobals }).process;
  return {
    onSignal(name, listener) {
      process.on(name, listener);
      return () => process.off(name, listener);
    },
    exit: (code) => process.exit(code),
  };
}
