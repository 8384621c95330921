/**
 * gRPC's length-prefixed message framing, and the status codes that end a
 * call. On the wire each message is 1 byte (the compressed flag) + 4 bytes of
 * big-endian length + the protobuf bytes. vitals never negotiates a
 * `grpc-encoding`, so a set compressed flag is an error, and messages are
 * capped in size before their bytes are read.
 *
 * @module
 */

/** The gRPC status codes vitals sends or names, by name. */
export const GRPC_CODES = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/**
 * The name of a gRPC status code, such as `NOT_FOUND` for 5; an undefined
 * code is written `code N`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { grpcCodeName } from "./frame.ts";
 * assert.equal(grpcCodeName(12), "UNIMPLEMENTED");
 * assert.equal(grpcCodeName(99), "code 99");
 * ```
 */
export function grpcCodeName(code: number): string {
  return Object.entries(GRPC_CODES).find(([, value]) => value === code)?.[0] ?? `code ${code}`;
}

/** A stream that breaks the framing rules; `code` is the gRPC status to end the call with. */
export class FrameError extends Error {
  override readonly name = "FrameError";
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/**
 * Frames one message (uncompressed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeFrame } from "./frame.ts";
 * assert.deepEqual([...encodeFrame(Uint8Array.of(8, 1))], [0, 0, 0, 0, 2, 8, 1]);
 * ```
 */
export function encodeFrame(message: Uint8Array): Uint8Array {
  const frame = new Uint8Array(5 + message.length);
  new DataView(frame.buffer).setUint32(1, message.length);
  frame.set(message, 5);
  return frame;
}

/**
 * Splits a byte stream into messages. Feed it chunks as they arrive with
 * {@link FrameReader.push}; call {@link FrameReader.end} when the stream
 * ends. Both throw {@link FrameError}: a set compressed flag (`INTERNAL`,
 * as grpc-go answers when no encoding was negotiated), a message longer than
 * `maxBytes` (`RESOURCE_EXHAUSTED`, seen from its header, before its bytes
 * are buffered), or a stream that ends inside a frame (`INTERNAL`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameReader } from "./frame.ts";
 * const reader = new FrameReader(4096);
 * assert.deepEqual(reader.push(Uint8Array.of(0, 0, 0)), []);
 * assert.deepEqual(reader.push(Uint8Array.of(0, 2, 8, 1)).map((m) => [...m]), [[8, 1]]);
 * reader.end();
 * ```
 */
export class FrameReader {
  #pending = new Uint8Array(0);

  /** `maxBytes`: the longest message accepted. */
  constructor(readonly maxBytes: number) {}

  /** Adds `chunk`; returns the messages it completed, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.#pending.length + chunk.length);
    joined.set(this.#pending);
    joined.set(chunk, this.#pending.length);
    const messages: Uint8Array[] = [];
    let at = 0;
    while (joined.length - at >= 5) {
      const flag = joined[at]!;
      const length = new DataView(joined.buffer, joined.byteOffset + at + 1, 4).getUint32(0);
      if (flag !== 0) {
        throw new FrameError(
          GRPC_CODES.INTERNAL,
          flag === 1
            ? "Compressed message refused: no grpc-encoding was negotiated"
            : `Invalid frame: compressed flag ${flag}, expected 0`,
        );
      }
      if (length > this.maxBytes) {
        throw new FrameError(
          GRPC_CODES.RESOURCE_EXHAUSTED,
          `Message refused: ${length} bytes, more than the limit of ${this.maxBytes}`,
        );
      }
      if (joined.length - at - 5 < length) break;
      messages.push(joined.slice(at + 5, at + 5 + length));
      at += 5 + length;
    }
    this.#pending = joined.slice(at);
    return messages;
  }

  /** Throws when the stream ended inside a frame. */
  end(): void {
    if (this.#pending.length > 0) {
      throw new FrameError(
        GRPC_CODES.INTERNAL,
        `Invalid frame: the stream ended ${this.#pending.length} bytes into a frame`,
      );
    }
  }
}
