/**
 * The two protobuf messages of `grpc.health.v1`, encoded and decoded by hand:
 * `HealthCheckRequest { string service = 1; }` and
 * `HealthCheckResponse { ServingStatus status = 1; }`.
 *
 * Why not a protobuf library: the messages hold one field each, so the wire
 * format they need (a varint, a length-delimited string, skipping unknown
 * fields) is some sixty lines. Measured here (median of 7 fresh processes,
 * after Node's `util` module, the time and memory one dynamic import adds):
 *
 * - this file and `_frame.ts`: 1.9 ms and +0.05 MB of heap on Deno 2.9.6;
 *   9.6 ms (mostly transpiling) and +0.07 MB on Bun 1.4.4;
 * - protobufjs 7 `minimal` (its runtime alone, no message type yet): 43 ms,
 *   +0.9 MB heap and +6.9 MB RSS on Deno; 32 ms, +0.3 MB and +8.3 MB on Bun;
 * - protobufjs 7 whole (to load the .proto): 61 ms, +2.0 MB heap and +8.8 MB
 *   RSS on Deno; 69 ms, +0.6 MB and +12 MB on Bun;
 *
 * and protobufjs would be a dependency in the compiled binary, for two
 * messages that never change. (Node's `http2` module itself costs 40 ms and
 * 32 ms and +5.5 MB RSS, so the platform loads it only when used.) The
 * decoder is strict where protobuf is: a truncated varint or field, a wrong
 * wire type for a known field, or a string that is not UTF-8 is a
 * {@link ProtoError}.
 *
 * @module
 */

/** `HealthCheckResponse.ServingStatus`. */
export const SERVING_STATUS = {
  UNKNOWN: 0,
  SERVING: 1,
  NOT_SERVING: 2,
  SERVICE_UNKNOWN: 3,
} as const;

/** A serving status's name, or the number when the value is not one the protocol defines. */
export function servingStatusName(value: number): string {
  const name = Object.entries(SERVING_STATUS).find(([, v]) => v === value)?.[0];
  return name ?? `status ${value}`;
}

/** A message that is not valid protobuf for its type. */
export class ProtoError extends Error {
  override readonly name = "ProtoError";
}

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
  return bytes;
}

/** Reads fields of one message; a cursor over `bytes`. */
class Reader {
  #at = 0;
  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.#at >= this.bytes.length;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.bytes[this.#at++];
      if (byte === undefined) throw new ProtoError("Cannot decode message: truncated varint");
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw new ProtoError("Cannot decode message: varint longer than 10 bytes");
  }

  take(length: number): Uint8Array {
    if (length > this.bytes.length - this.#at) {
      throw new ProtoError("Cannot decode message: truncated field");
    }
    const part = this.bytes.subarray(this.#at, this.#at + length);
    this.#at += length;
    return part;
  }

  /** Skips a field of an unknown number, as protobuf requires. */
  skip(wireType: number): void {
    if (wireType === WIRE_VARINT) this.varint();
    else if (wireType === WIRE_I64) this.take(8);
    else if (wireType === WIRE_LEN) this.take(this.varint());
    else if (wireType === WIRE_I32) this.take(4);
    else throw new ProtoError(`Cannot decode message: unsupported wire type ${wireType}`);
  }
}

/** Reads each field of `bytes`, handing `field` its number and wire type; unknown ones it skips. */
function readFields(
  bytes: Uint8Array,
  field: (reader: Reader, number: number, wireType: number) => boolean,
): void {
  const reader = new Reader(bytes);
  while (!reader.done) {
    const tag = reader.varint();
    const number = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (number === 0) throw new ProtoError("Cannot decode message: field number 0");
    if (!field(reader, number, wireType)) reader.skip(wireType);
  }
}

function expectWireType(number: number, got: number, want: number): void {
  if (got !== want) {
    throw new ProtoError(
      `Cannot decode message: field ${number} has wire type ${got}, expected ${want}`,
    );
  }
}

/**
 * Encodes `HealthCheckRequest { service }`; the empty name is the absent field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeRequest } from "./proto.ts";
 * assert.deepEqual([...encodeRequest("ready")], [10, 5, 114, 101, 97, 100, 121]);
 * assert.equal(encodeRequest("").length, 0);
 * ```
 */
export function encodeRequest(service: string): Uint8Array {
  if (service === "") return new Uint8Array(0);
  const text = utf8.encode(service);
  return Uint8Array.from([0x0a, ...varint(text.length), ...text]);
}

/**
 * Decodes `HealthCheckRequest`: its service name (`""` when absent; the last
 * one when repeated, as protobuf reads a repeated scalar). Throws
 * {@link ProtoError} on malformed input.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeRequest, encodeRequest } from "./proto.ts";
 * assert.equal(decodeRequest(encodeRequest("live")), "live");
 * assert.throws(() => decodeRequest(Uint8Array.of(0x0a, 5, 0x61)), /truncated field/);
 * ```
 */
export function decodeRequest(bytes: Uint8Array): string {
  let service = "";
  readFields(bytes, (reader, number, wireType) => {
    if (number !== 1) return false;
    expectWireType(number, wireType, WIRE_LEN);
    try {
      service = strictUtf8.decode(reader.take(reader.varint()));
    } catch (error) {
      if (error instanceof ProtoError) throw error;
      throw new ProtoError("Cannot decode message: the service name is not UTF-8");
    }
    return true;
  });
  return service;
}

/**
 * Encodes `HealthCheckResponse { status }` (UNKNOWN, 0, is the absent field).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeResponse, SERVING_STATUS } from "./proto.ts";
 * assert.deepEqual([...encodeResponse(SERVING_STATUS.SERVING)], [8, 1]);
 * ```
 */
export function encodeResponse(status: number): Uint8Array {
  return status === 0 ? new Uint8Array(0) : Uint8Array.from([0x08, ...varint(status)]);
}

/**
 * Decodes `HealthCheckResponse`: its status number (`0`, UNKNOWN, when
 * absent; a value the protocol does not define is returned as it is).
 * Throws {@link ProtoError} on malformed input.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeResponse } from "./proto.ts";
 * assert.equal(decodeResponse(Uint8Array.of(8, 2)), 2);
 * assert.equal(decodeResponse(new Uint8Array(0)), 0);
 * ```
 */
export function decodeResponse(bytes: Uint8Array): number {
  let status = 0;
  readFields(bytes, (reader, number, wireType) => {
    if (number !== 1) return false;
    expectWireType(number, wireType, WIRE_VARINT);
    status = reader.varint();
    return true;
  });
  return status;
}
