/**
 * Signals held from the first moment: `main.ts` installs handlers for
 * SIGTERM, SIGINT and SIGHUP before it loads the rest of vitals, so a signal
 * that arrives during start-up is kept for the command that handles it
 * instead of killing vitals (and orphaning the check processes it starts). A
 * signal no command takes ends vitals as the default action would, with exit
 * code 128 + the signal's number.
 *
 * @module
 */

import { reportCallbackError } from "../callback_error.ts";
import type { SignalName } from "../platform/platform.ts";
import type { EarlyRuntime } from "../platform/early.ts";

/** The exit code a shell reports for a process ended by each signal. */
export const EXIT_CODES: Record<SignalName, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

const NAMES: readonly SignalName[] = ["SIGTERM", "SIGINT", "SIGHUP"];

/** Signals held since start-up, handed to the command that takes them. */
export interface HeldSignals {
  /**
   * Calls `listener` on each delivery of `name`, first for any delivered
   * before this call; returns a function that stops listening.
   */
  onSignal(name: SignalName, listener: () => void): () => void;
  /** The command takes no more signals: held and later ones of the rest end vitals. */
  releaseRest(): void;
}

/**
 * Calls a command's listener from the runtime's signal handler, where a throw
 * would end the process: a listener that fails is reported, and the others
 * still run.
 */
function call(name: SignalName, listener: () => void): void {
  try {
    listener();
  } catch (error) {
    reportCallbackError(`Cannot handle ${name}`, error);
  }
}

/**
 * Installs handlers for SIGTERM, SIGINT and SIGHUP now and holds what arrives.
 *
 * @example
 * ```ts ignore
 * const signals = holdSignals(platform); // first thing at start-up
 * const { runCli } = await import("./src/cli/run.ts");
 * platform.exit(await runCli(platform.args(), platform, signals));
 * ```
 */
export function holdSignals(platform: EarlyRuntime): HeldSignals {
  const held = new Map<SignalName, number>();
  const listeners = new Map<SignalName, Set<() => void>>();
  let released = false;
  const deliver = (name: SignalName) => {
    const taken = listeners.get(name);
    if (taken && taken.size > 0) { for (const listener of [...taken]) call(name, listener); }
    else if (released) platform.exit(EXIT_CODES[name]);
    else held.set(name, (held.get(name) ?? 0) + 1);
  };
  for (const name of NAMES) platform.onSignal(name, () => deliver(name));
  return {
    onSignal(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, set = new Set());
      set.add(listener);
      const count = held.get(name) ?? 0;
      held.delete(name);
      for (let i = 0; i < count; i++) call(name, listener);
      return () => set.delete(listener);
    },
    releaseRest() {
      released = true;
      for (const name of NAMES) {
        if ((held.get(name) ?? 0) > 0 && !listeners.get(name)?.size) {
          platform.exit(EXIT_CODES[name]);
        }
      }
    },
  };
}
