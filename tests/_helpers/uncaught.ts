/**
 * Errors that escape an event callback during a test (a throw out of a
 * 'data' listener or a timer, a rejection nobody handles): in a real vitals
 * process each one ends the process, but under `node:test` on Deno 2.9 they
 * vanish without failing the test (Bun fails it). {@link noneEscape} records
 * them on both runtimes and fails the test when any escaped.
 *
 * @module
 */

import assert from "node:assert/strict";
import process from "node:process";

/**
 * Runs `body`, then waits `settleMs` for late events, and fails if any error
 * escaped to the process meanwhile (reported with the errors themselves).
 */
export async function noneEscape<T>(body: () => Promise<T>, settleMs = 300): Promise<T> {
  const escaped: string[] = [];
  const onError = (error: unknown) => {
    escaped.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  };
  process.on("uncaughtException", onError);
  process.on("unhandledRejection", onError);
  try {
    const result = await body();
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    assert.deepEqual(escaped, [], "errors escaped from event callbacks");
    return result;
  } finally {
    process.off("uncaughtException", onError);
    process.off("unhandledRejection", onError);
  }
}
