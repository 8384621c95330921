/**
 * `Platform.connect` on either runtime: open a TCP connection and
 * close it at once, giving up (and closing a late connection) when the
 * check's signal aborts. Each runtime's file supplies the open and the close.
 *
 * @module
 */

import { toPlatformError } from "../platform_error.ts";

/**
 * Opens a connection with `open` and closes it with `close`; rejects with a
 * `PlatformError`, or with `signal.reason` once `signal` aborts.
 *
 * @example
 * ```ts ignore
 * await connectOnce(() => Deno.connect({ hostname, port }), (conn) => conn.close(), signal);
 * ```
 */
export async function connectOnce<T>(
  open: () => Promise<T>,
  close: (connection: T) => void,
  signal: AbortSignal,
): Promise<void> {
  try {
    const connection = await unlessAborted(open(), signal, close);
    close(connection);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw toPlatformError(error);
  }
}

/**
 * Waits for `pending` unless `signal` aborts first, in which case it rejects
 * with the signal's reason and hands a late result to `release`.
 */
export async function unlessAborted<T>(
  pending: Promise<T>,
  signal: AbortSignal,
  release: (value: T) => void,
): Promise<T> {
  signal.throwIfAborted();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, aborted]);
  } catch (error) {
    // A connection that completes after the abort must still be closed;
    // `release` failing (closed already) must not reject where nobody listens.
    if (signal.aborted) {
      pending.then((value) => {
        try {
          release(value);
        } catch {
          // Already closed.
        }
      }, () => {});
    }
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
