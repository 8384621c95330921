// The shutdown order of `serve` (src/cli/shutdown.ts), driven with fake parts:
// readiness drains first, the server closes after the drain delay, and the
// checks stop last; a second signal calls the exit path.

import assert from "node:assert/strict";
import { test } from "node:test";
import { nextSignal, shutdown, SHUTDOWN_GRACE_MS } from "../../src/cli/shutdown.ts";
import { createLogger } from "../../src/log.ts";
import type { SignalName } from "../../src/platform/mod.ts";

/** Fake parts that record each step in order. */
function recordingParts(drainDelay: number) {
  const steps: string[] = [];
  const lines: string[] = [];
  return {
    steps,
    lines,
    parts: {
      health: {
        drain: () => void steps.push("drain"),
        close: () => void steps.push("stop checks"),
      },
      server: {
        shutdown: (graceMs: number) => {
          steps.push(`close server (grace ${graceMs} ms)`);
          return Promise.resolve();
        },
      },
      drainDelay,
      log: createLogger({ write: (line) => lines.push(line), format: "json" }),
      sleep: (ms: number) => {
        steps.push(`wait ${ms} ms`);
        return Promise.resolve();
      },
    },
  };
}

test("shutdown drains readiness, waits the drain delay, closes the server, then stops the checks", async () => {
  const { steps, lines, parts } = recordingParts(1500);
  await shutdown("SIGTERM", parts);
  assert.deepEqual(steps, [
    "drain",
    "wait 1500 ms",
    `close server (grace ${SHUTDOWN_GRACE_MS} ms)`,
    "stop checks",
  ]);
  const messages = lines.map((line) => JSON.parse(line).msg);
  assert.deepEqual(messages, [
    "SIGTERM received: readiness is DOWN; stopping in 1500 ms (server.drainDelay)",
    "SIGTERM received: finishing in-flight requests (at most 5 s)",
    "stopped",
  ]);
});

test("shutdown with no drain delay does not wait before closing the server", async () => {
  const { steps, parts } = recordingParts(0);
  await shutdown("SIGINT", parts);
  assert.deepEqual(steps, ["drain", `close server (grace ${SHUTDOWN_GRACE_MS} ms)`, "stop checks"]);
});

test("the first stop signal resolves the wait; a second one calls the exit path", async () => {
  const handlers = new Map<SignalName, () => void>();
  let again = 0;
  const stop = nextSignal(
    { onSignal: (name, listener) => (handlers.set(name, listener), () => handlers.delete(name)) },
    ["SIGTERM", "SIGINT"],
    () => void again++,
  );
  assert.deepEqual([...handlers.keys()], ["SIGTERM", "SIGINT"], "handlers are installed at once");
  handlers.get("SIGINT")!();
  assert.equal(await stop, "SIGINT");
  assert.equal(again, 0);
  handlers.get("SIGTERM")!();
  assert.equal(again, 1);
});
