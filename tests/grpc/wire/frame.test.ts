// gRPC's length-prefixed framing (src/grpc/wire/frame.ts): messages split
// across chunks at any byte come out whole and in order; a compressed flag, an
// oversized length and a cut frame end the call with the protocol's status.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encodeFrame, FrameError, FrameReader } from "../../../src/grpc/wire/frame.ts";

describe("gRPC framing", () => {
  test("messages split across chunks at every byte come out whole and in order", () => {
    const stream = [...encodeFrame(Uint8Array.of(8, 1)), ...encodeFrame(new Uint8Array(0))];
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new FrameReader(4096);
      const out = [
        ...reader.push(Uint8Array.from(stream.slice(0, cut))),
        ...reader.push(Uint8Array.from(stream.slice(cut))),
      ];
      assert.deepEqual(out.map((m) => [...m]), [[8, 1], []]);
      reader.end();
    }
  });

  test("a compressed flag is INTERNAL, an oversized length RESOURCE_EXHAUSTED before its bytes, a cut frame INTERNAL", () => {
    const code = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        assert.ok(error instanceof FrameError);
        return error.code;
      }
      return "no error";
    };
    assert.equal(code(() => new FrameReader(10).push(Uint8Array.of(1, 0, 0, 0, 1, 8))), 13);
    assert.equal(code(() => new FrameReader(10).push(Uint8Array.of(0, 0, 0, 0, 11))), 8);
    assert.equal(code(() => new FrameReader(10).push(Uint8Array.of(0, 0xff, 0xff, 0xff, 0xff))), 8);
    const reader = new FrameReader(10);
    reader.push(Uint8Array.of(0, 0, 0, 0, 2, 8));
    assert.equal(code(() => reader.end()), 13);
  });
});
