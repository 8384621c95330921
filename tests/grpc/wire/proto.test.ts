// The hand-written protobuf of grpc.health.v1 (src/grpc/wire/proto.ts): a
// request round-trips any service name, unknown fields are skipped, malformed
// bytes are ProtoErrors that say what is wrong, and responses round-trip
// every serving status.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  ProtoError,
} from "../../../src/grpc/wire/proto.ts";

describe("the hand-written protobuf of grpc.health.v1", () => {
  test("a request round-trips any service name, the empty one as no field at all", () => {
    for (const name of ["", "ready", "grpc.health.v1.Health", "ü".repeat(200)]) {
      assert.equal(decodeRequest(encodeRequest(name)), name);
    }
    assert.equal(encodeRequest("").length, 0);
    // 200 two-byte characters: a two-byte length varint.
    assert.deepEqual([...encodeRequest("ü".repeat(200)).subarray(0, 3)], [0x0a, 0x90, 0x03]);
  });

  test("unknown fields of every wire type are skipped, and the last service field wins", () => {
    const bytes = Uint8Array.of(
      0x10,
      0x96,
      0x01, // field 2, varint 150
      0x19,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8, // field 3, 64-bit
      0x25,
      1,
      2,
      3,
      4, // field 4, 32-bit
      0x0a,
      1,
      0x61, // service "a"
      0x2a,
      2,
      0x78,
      0x79, // field 5, length-delimited
      0x0a,
      1,
      0x62, // service "b"
    );
    assert.equal(decodeRequest(bytes), "b");
  });

  test("malformed requests are ProtoErrors that say what is wrong", () => {
    const cases: [number[], RegExp][] = [
      [[0x0a, 5, 0x61], /truncated field/],
      [[0x0a], /truncated varint/],
      [[0x08, 1], /field 1 has wire type 0, expected 2/],
      [[0x0a, 1, 0xff], /not UTF-8/],
      [[0x00, 1], /field number 0/],
      [[0x13], /unsupported wire type 3/],
      [[0x10, ...Array(11).fill(0x80)], /longer than 10 bytes/],
    ];
    for (const [bytes, message] of cases) {
      assert.throws(() => decodeRequest(Uint8Array.from(bytes)), (error) => {
        assert.ok(error instanceof ProtoError);
        assert.match(error.message, message);
        return true;
      });
    }
  });

  test("responses round-trip every serving status; UNKNOWN is the empty message", () => {
    for (const status of [0, 1, 2, 3, 300]) {
      assert.equal(decodeResponse(encodeResponse(status)), status);
    }
    assert.equal(encodeResponse(0).length, 0);
    assert.throws(() => decodeResponse(Uint8Array.of(0x0a, 0)), ProtoError);
  });
});
