// The stall watchdog wired into a real `llm` check (createCheck from config,
// on a manual clock) against the out-of-process vLLM stand-in
// (tests/fixtures/llm/vllm.py, Python): a wedged engine, whose health routes
// still answer 200 while requests wait and no token is generated, turns the
// check DOWN in started, ready and live with a `stalled:` message within
// stall.stallAfter plus one interval of the first wedged run, and not before;
// a first request after a long idle period is not a stall. The deep probe is
// off (`generate: false`) so the watchdog alone decides. Without python3 the
// tests skip and say why.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Check } from "../../../src/checks/check.ts";
import { createCheck } from "../../../src/checks/create_check.ts";
import type { CheckConfig } from "../../../src/config/resolve.ts";
import { ManualClock } from "../../_helpers/clock.ts";
import { type StandIn, startStandIn } from "../../_helpers/llm_stand_in.ts";
import { platform } from "../../_helpers/platform.ts";
import { missingPython } from "../../_helpers/raw_peer.ts";

const skip = { skip: missingPython("the llm stall check tests") };
const MODEL = "test-model";
const STALL_AFTER = 60_000;
const INTERVAL = 15_000;

function stallCheck(url: string, clock: ManualClock): Check {
  const config = {
    name: "llm",
    type: "llm",
    server: "vllm",
    url,
    model: MODEL,
    timeout: 10_000,
    critical: true,
    groups: ["started", "ready", "live"],
    interval: INTERVAL,
    failureThreshold: 1,
    successThreshold: 1,
    generate: false,
    stall: { stallAfter: STALL_AFTER, scrapeTimeout: 2000 },
  };
  return createCheck(config as unknown as CheckConfig, { platform, clock });
}

/** One run: "started ready live" verdicts and the message. */
async function run(
  check: Check,
): Promise<{ verdicts: string; message: string; stallSeconds?: number | undefined }> {
  const result = await check.run();
  const by = result.byGroup ?? {};
  return {
    verdicts: [by.started?.status, by.ready?.status, by.live?.status].join(" "),
    message: result.message,
    stallSeconds: result.llm?.stallSeconds,
  };
}

async function withVllm(body: (standIn: StandIn) => Promise<void>): Promise<void> {
  const standIn = await startStandIn("vllm", ["--model", MODEL, "--phase", "serving"]);
  try {
    await body(standIn);
  } finally {
    await standIn.stop();
  }
}

test(
  "vllm: a wedge that every health route misses turns the check DOWN as a stall within stallAfter plus one interval, not before",
  skip,
  () =>
    withVllm(async (standIn) => {
      const clock = new ManualClock();
      const check = stallCheck(standIn.url, clock);
      assert.equal((await run(check)).verdicts, "UP UP UP", "serving, nothing waiting");
      await standIn.control({ phase: "wedged" });
      const health = await standIn.request("/health");
      await health.body?.cancel();
      assert.equal(health.status, 200, "/health still answers 200 while wedged");
      const wedgedAt = clock.now();
      let downAt: number | undefined;
      let found: Awaited<ReturnType<typeof run>> = { verdicts: "", message: "" };
      for (let runs = 0; runs < 20 && downAt === undefined; runs++) {
        found = await run(check);
        const elapsed = clock.now() - wedgedAt;
        if (found.verdicts === "DOWN DOWN DOWN") {
          downAt = elapsed;
          break;
        }
        assert.equal(found.verdicts, "UP UP UP", `at ${elapsed} ms: ${found.message}`);
        assert.equal(found.stallSeconds, elapsed / 1000, "the run reports the stall clock");
        clock.advance(INTERVAL);
      }
      assert.ok(downAt !== undefined, `never DOWN: ${found.message}`);
      assert.ok(downAt >= STALL_AFTER, `DOWN after ${downAt} ms, before stallAfter`);
      assert.ok(downAt <= STALL_AFTER + INTERVAL, `DOWN only after ${downAt} ms`);
      assert.equal(found.stallSeconds, downAt / 1000);
      assert.match(
        found.message,
        /^stalled: 1 request waiting, 0 running, no token generated for 1m/,
      );

      // Generation resumes: the counter moves and the stall clears.
      await standIn.control({ phase: "serving", traffic: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      clock.advance(INTERVAL);
      const back = await run(check);
      assert.equal(back.verdicts, "UP UP UP", back.message);
      assert.equal(back.stallSeconds, 0);
    }),
);

test(
  "vllm: the first request after an hour idle is not a stall, and traffic keeps the clock stopped",
  skip,
  () =>
    withVllm(async (standIn) => {
      const clock = new ManualClock();
      const check = stallCheck(standIn.url, clock);
      for (let minute = 0; minute < 60; minute += 15) {
        assert.equal((await run(check)).verdicts, "UP UP UP", `idle at ${minute} min`);
        clock.advance(15 * 60_000);
      }
      // A request arrives: waiting, no token yet, the last token an hour ago.
      await standIn.control({ waiting: 1 });
      const arrived = await run(check);
      assert.equal(arrived.verdicts, "UP UP UP", arrived.message);
      // It is served, and clients keep generating: however long, no stall.
      await standIn.control({ waiting: 0, traffic: true });
      for (let runs = 0; runs < 3; runs++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        clock.advance(STALL_AFTER);
        const busy = await run(check);
        assert.equal(busy.verdicts, "UP UP UP", `under traffic, run ${runs}: ${busy.message}`);
      }
    }),
);
