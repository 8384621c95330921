/**
 * A Node `Readable` (an `http.IncomingMessage`) as a Web `ReadableStream`,
 * for the responses `fetch.ts` makes: a bridge none of whose event
 * callbacks can throw, whatever order the events come in.
 *
 * Why a bridge of its own: on Deno 2.9 the message keeps emitting after it
 * was destroyed ('data' after a cancel, 'end' after a cancel), and Bun 1.4
 * does too; a callback that then calls a closed controller throws out of the
 * event, which ends the process on Deno. Here every event first asks whether
 * the stream is already finished (closed, errored or cancelled) and ignores
 * what comes after; each controller call is guarded as well, so a state this
 * file did not foresee errors the body instead of the process.
 *
 * Backpressure: the queue holds at most {@link QUEUE_BYTES}; past it the
 * message is paused, and resumed when the reader pulls again, so a slow
 * reader of an endless body holds a bounded amount of memory. Measured
 * against an endless body left unread for 1 s: the socket had read 247 KiB
 * on Deno and 504 KiB on Bun; without backpressure, 328 MiB and 409 MiB.
 *
 * @module
 */

import type { Readable } from "node:stream";

/** The most bytes queued for the reader before the message is paused. */
export const QUEUE_BYTES = 64 * 1024;

/** What the bridge uses of a Node `Readable`. */
export type NodeReadable = Pick<Readable, "on" | "off" | "pause" | "resume" | "destroy">;

const encoder = new TextEncoder();

/** Ignores an error emitted once the body no longer matters. */
function ignore(): void {}

/**
 * Why a body ended early when the message closed with neither 'end' nor
 * 'error' (Node emits an 'aborted' error first; this covers a runtime that
 * does not).
 */
function closedEarly(): Error {
  return Object.assign(
    new Error("Cannot read the response body: the connection closed before its end"),
    { code: "ECONNRESET" },
  );
}

/**
 * Streams `message`'s bytes. Cancelling the stream destroys the message and
 * stops listening to it (but for a no-op 'error' listener: an 'error' emitted
 * with no listener throws); an error of the message errors the stream; a
 * message that closes before its 'end' errors it too.
 *
 * @example
 * ```ts ignore
 * const request = (await import("node:http")).request(url, (message) => {
 *   resolve(new Response(bodyStream(message), { status: message.statusCode }));
 * });
 * ```
 */
export function bodyStream(message: NodeReadable): ReadableStream<Uint8Array> {
  /** Closed, errored or cancelled: nothing more reaches the controller. */
  let finished = false;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;

  const detach = () => {
    message.off("data", onData);
    message.off("end", onEnd);
    message.off("close", onClose);
    message.off("error", onError);
  };
  /** Ends the stream once: `error` errors it, `undefined` closes it. */
  const finish = (error?: unknown) => {
    if (finished) return;
    finished = true;
    try {
      detach();
    } catch {
      // Listeners that cannot be removed are ignored by `finished` anyway.
    }
    try {
      if (error === undefined) controller?.close();
      else controller?.error(error);
    } catch {
      // Already closed by the reader's cancel: nothing left to tell.
    }
  };
  function onData(chunk: Uint8Array | string) {
    if (finished || controller === undefined) return;
    try {
      // A copy: Node may hand out a slice of a pooled buffer it reuses.
      controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : new Uint8Array(chunk));
      if ((controller.desiredSize ?? 0) <= 0) message.pause();
    } catch (error) {
      finish(error);
      destroy();
    }
  }
  function onEnd() {
    finish();
  }
  function onClose() {
    finish(closedEarly());
  }
  function onError(error: Error) {
    finish(error);
  }
  const destroy = () => {
    try {
      message.destroy();
    } catch {
      // Already destroyed.
    }
  };

  // Never without an 'error' listener from here on, even after `detach`.
  message.on("error", ignore);
  return new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      message.on("data", onData);
      message.on("end", onEnd);
      message.on("close", onClose);
      message.on("error", onError);
    },
    pull() {
      if (finished) return;
      try {
        message.resume();
      } catch (error) {
        finish(error);
      }
    },
    cancel() {
      if (finished) return;
      finished = true;
      try {
        detach();
      } catch {
        // As in `finish`.
      }
      destroy();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: QUEUE_BYTES }));
}
