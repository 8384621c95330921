/**
 * {@link Platform.onUncaught} on each runtime: routing the errors nothing
 * caught (a throw out of an event callback, a rejection nobody handled) to
 * the latest listener instead of letting them end the process.
 *
 * @module
 */

import type { Platform, UncaughtListener } from "../platform.ts";

/** Node's `process` as Bun provides it, as far as uncaught errors go. */
export interface UncaughtProcess {
  on(name: string, listener: (value: unknown) => void): unknown;
  off(name: string, listener: (value: unknown) => void): unknown;
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
export function bunUncaught(process: UncaughtProcess): Platform["onUncaught"] {
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
export function denoUncaught(): Platform["onUncaught"] {
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
