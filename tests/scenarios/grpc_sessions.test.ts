// No HTTP/2 session outlives its call: after many `grpc` checks against
// vitals' own gRPC server (both ends in this process, over real sockets on
// 127.0.0.1), a full garbage collection leaves as many of the runtime's
// native HTTP/2 parsers and TCP sockets as before, and about as many live
// objects: nothing (a Set of sessions, a listener, a timer) holds a finished
// call's session, on either side. (Keeping the server's sessions in its Set
// after they close adds about 3,500 objects over 300 calls, and fails this.)
//
// Bun only: it collects garbage on demand (Bun.gc) and counts live objects by
// type (bun:jsc heapStats). Deno exposes neither without --v8-flags, which a
// test file cannot set; there bench/soak.ts, which reads vitals' memory over
// time, is the evidence.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Health } from "../../src/engine/health.ts";
import { serveGrpcHealth } from "../../src/grpc/server/health_server.ts";
import { controlled, runCheck } from "../_helpers/checks.ts";
import { platform } from "../_helpers/platform.ts";

interface Jsc {
  heapStats(): { objectCount: number; objectTypeCounts: Record<string, number> };
}
interface BunGlobal {
  gc(force: boolean): void;
}

const bun = (globalThis as { Bun?: BunGlobal }).Bun;
const skip = bun ? false : "needs Bun.gc and bun:jsc's object counts (Bun only)";
if (skip) console.log(`skipping the gRPC session count test: ${skip}`);

/** Live objects of the types that make up an HTTP/2 session on Bun, after a full collection. */
async function liveSessionParts(): Promise<Record<string, number>> {
  // A specifier in a variable: Deno's type check does not resolve bun: modules.
  const specifier = "bun:jsc";
  const jsc = await import(specifier) as Jsc;
  for (let round = 0; round < 3; round++) {
    bun!.gc(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const stats = jsc.heapStats();
  const counts = stats.objectTypeCounts;
  return {
    H2FrameParser: counts.H2FrameParser ?? 0,
    TCPSocket: counts.TCPSocket ?? 0,
    objects: stats.objectCount,
  };
}

test(
  "after 300 grpc checks against vitals' own gRPC server, no HTTP/2 session of theirs is left",
  { skip, timeout: 60_000 },
  async () => {
    const live = controlled("l", undefined, { groups: ["live"] });
    const health = new Health({ checks: [live.check], ttl: 50, poolSize: 4 });
    await health.start();
    const server = await serveGrpcHealth({ hostname: "127.0.0.1", port: 0, health, platform });
    try {
      const check = { type: "grpc", host: "127.0.0.1", port: server.port, service: "live" };
      // Warm up: modules loaded, code compiled, first sessions made and gone.
      for (let i = 0; i < 100; i++) assert.equal((await runCheck(check)).status, "UP");
      const before = await liveSessionParts();
      for (let i = 0; i < 300; i++) {
        const result = await runCheck(check);
        assert.equal(result.status, "UP", result.message);
      }
      // The last call's session is torn down on the next turn.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const after = await liveSessionParts();
      for (const type of ["H2FrameParser", "TCPSocket"]) {
        // A conservative collector may keep the odd object a stack slot still names.
        assert.ok(
          after[type]! <= before[type]! + 4,
          `${type}: ${before[type]} before 300 calls, ${after[type]} after`,
        );
      }
      // Code and caches still grow a little (50 to 150 objects here); one
      // session kept per call (its streams, listeners, buffers) adds about 12.
      assert.ok(
        after.objects! <= before.objects! + 1000,
        `live objects: ${before.objects} before 300 calls, ${after.objects} after`,
      );
      console.log(
        `live after 300 calls: ${JSON.stringify(after)} (before: ${JSON.stringify(before)})`,
      );
    } finally {
      await server.shutdown(0);
      health.close();
    }
  },
);
