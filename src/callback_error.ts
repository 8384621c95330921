/**
 * The last resort for an error thrown inside an event callback (a timer, a
 * signal handler) that has no operation to fail and no caller to tell: one
 * line on standard error, and never a throw, since a throw out of an event
 * callback ends the process.
 *
 * @module
 */

/**
 * Writes `what` and the error's message to standard error; never throws.
 *
 * @example
 * ```ts
 * import { reportCallbackError } from "./callback_error.ts";
 * reportCallbackError("Cannot publish the results", new Error("boom"));
 * // stderr: Cannot publish the results: boom
 * ```
 */
export function reportCallbackError(what: string, error: unknown): void {
  try {
    console.error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  } catch {
    // Standard error is gone (a closed pipe): there is nowhere left to say it.
  }
}
