/**
 * The gRPC health server's open `Watch` streams: each gets its scope's status
 * at once, then every change, found by one poll timer shared by all streams;
 * at shutdown each ends with UNAVAILABLE.
 *
 * @module
 */

import type { Clock } from "../../clock.ts";
import type { Http2ServerStream } from "../../platform/platform.ts";
import type { Scope } from "../../types.ts";
import { encodeFrame, GRPC_CODES } from "../wire/frame.ts";
import { encodeResponse, SERVING_STATUS } from "../wire/proto.ts";
import {
  type CallContext,
  closeConnectionAfter,
  endWith,
  SERVICE_SCOPES,
  servingOf,
} from "./_health_calls.ts";

/** One open Watch stream. */
interface Watcher {
  readonly stream: Http2ServerStream;
  /** Undefined: a service name vitals does not know (SERVICE_UNKNOWN, never changes). */
  readonly scope: Scope | undefined;
  /** The serving status last sent. */
  last: number | undefined;
  /** The status its trailers carry when vitals ends the stream. */
  endCode: number;
}

/**
 * The open Watch streams of one server and the timer that polls for them:
 * every `pollInterval()` ms while any stream watches a known scope, it reads
 * each watched scope once and writes to the streams whose status changed.
 */
export class WatchStreams {
  readonly #context: Pick<CallContext, "current" | "report">;
  readonly #pollInterval: () => number;
  readonly #watchers = new Set<Watcher>();
  #closing = false;
  readonly #clock: Clock;
  #cancel: (() => void) | undefined;

  /** Streams that read statuses and report failures through `context`, polling on `clock`. */
  constructor(
    context: Pick<CallContext, "current" | "report">,
    pollInterval: () => number,
    clock: Clock,
  ) {
    this.#context = context;
    this.#pollInterval = pollInterval;
    this.#clock = clock;
  }

  /** Serves a Watch call for `service`: the status now, then each change. */
  async watch(stream: Http2ServerStream, service: string): Promise<void> {
    if (stream.destroyed || stream.closed || stream.headersSent) return;
    if (this.#closing) return endWith(stream, GRPC_CODES.UNAVAILABLE, "Server is shutting down");
    const scope = SERVICE_SCOPES.get(service);
    const watcher: Watcher = { stream, scope, last: undefined, endCode: GRPC_CODES.OK };
    closeConnectionAfter(stream);
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, {
      waitForTrailers: true,
    });
    stream.once("wantTrailers", () => {
      const message = watcher.endCode === GRPC_CODES.OK ? {} : {
        "grpc-message": watcher.endCode === GRPC_CODES.UNAVAILABLE
          ? "Server is shutting down"
          : "Internal error",
      };
      stream.sendTrailers({ "grpc-status": String(watcher.endCode), ...message });
    });
    this.#watchers.add(watcher);
    stream.on("close", () => this.#watchers.delete(watcher));
    if (scope === undefined) return this.#send(watcher, SERVING_STATUS.SERVICE_UNKNOWN);
    try {
      this.#send(watcher, servingOf(await this.#context.current(scope)));
    } catch (error) {
      this.#context.report(error);
      watcher.endCode = GRPC_CODES.INTERNAL;
      stream.end();
      return;
    }
    this.#arm();
  }

  /** Stops polling and ends every open stream with UNAVAILABLE; later Watch calls get it at once. */
  close(): void {
    this.#closing = true;
    this.#cancel?.();
    for (const watcher of this.#watchers) {
      watcher.endCode = GRPC_CODES.UNAVAILABLE;
      if (!watcher.stream.destroyed && !watcher.stream.closed) watcher.stream.end();
    }
  }

  #send(watcher: Watcher, status: number): void {
    if (watcher.last === status || watcher.stream.destroyed || watcher.stream.closed) return;
    watcher.last = status;
    watcher.stream.write(encodeFrame(encodeResponse(status)));
  }

  /** One look at every watched scope; re-arms itself while anyone watches. */
  async #poll(): Promise<void> {
    this.#cancel = undefined;
    const scopes = new Set(
      [...this.#watchers].flatMap((w) => w.scope === undefined ? [] : [w.scope]),
    );
    await Promise.all([...scopes].map(async (scope) => {
      try {
        const serving = servingOf(await this.#context.current(scope));
        for (const watcher of this.#watchers) {
          if (watcher.scope === scope) this.#send(watcher, serving);
        }
      } catch (error) {
        this.#context.report(error);
      }
    }));
    this.#arm();
  }

  #arm(): void {
    if (this.#closing || this.#cancel !== undefined) return;
    if (![...this.#watchers].some((watcher) => watcher.scope !== undefined)) return;
    this.#cancel = this.#clock.setTimer(this.#pollInterval(), () => void this.#poll());
  }
}
