// The stall watchdog wired into a real `llm` check (createCheck from config,
// on a manual clock) against the out-of-process stand-ins
// (tests/fixtures/llm/*.py, Python): one table of server → stand-in →
// expectations. A wedged engine, whose health routes still answer 200 while
// requests wait and no token is generated, turns the check DOWN in started,
// ready and live with a `stalled:` message within stall.stallAfter plus one
// interval of the first wedged run, and not before; a first request after a
// long idle period is not a stall. Covered: vLLM, llama.cpp single and router
// mode (whose per-model page the check names with ?model=), SGLang and Triton
// (metrics on their own port). TGI is left to the watchdog-level test
// (llm_stall.test.ts): its wedged /health waits behind the stuck shard, and a
// manual clock never times it out. The deep probe is off (`generate: false`)
// so the watchdog alone decides. Without python3 the tests skip and say why.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Check } from "../../../src/checks/check.ts";
import { ManualClock } from "../../_helpers/clock.ts";
import { llmCheck, MODEL, pause } from "../../_helpers/llm_check.ts";
import { type StandIn, startStandIn } from "../../_helpers/llm_stand_in.ts";
import { missingPython } from "../../_helpers/raw_peer.ts";

const skip = { skip: missingPython("the llm stall check tests") };
const STALL_AFTER = 60_000;
const INTERVAL = 15_000;

interface Case {
  readonly label: string;
  readonly server: string;
  readonly args: string[];
  /** A health route that still answers 200 while wedged. */
  readonly health: string;
  /** The control that wedges it (llama.cpp: its task loop still answers /metrics). */
  readonly wedge?: Record<string, unknown>;
  readonly extra?: (standIn: StandIn) => Record<string, unknown>;
}

const CASES: readonly Case[] = [
  { label: "vllm", server: "vllm", args: [], health: "/health" },
  {
    label: "llamacpp",
    server: "llamacpp",
    args: ["--metrics"],
    health: "/health",
    wedge: { loop_blocked: false },
  },
  {
    label: "llamacpp router mode",
    server: "llamacpp",
    args: ["--metrics", "--router"],
    health: "/health",
    wedge: { loop_blocked: false },
  },
  { label: "sglang", server: "sglang", args: ["--enable-metrics"], health: "/get_model_info" },
  {
    label: "triton",
    server: "triton",
    args: [],
    health: `/v2/models/${MODEL}/ready`,
    extra: (standIn) => ({
      metricsUrl: `http://127.0.0.1:${standIn.ports.metrics_port}/metrics`,
    }),
  },
];

function stallCheck(c: Case, standIn: StandIn, clock: ManualClock): Check {
  return llmCheck(c.server, standIn.url, {
    interval: INTERVAL,
    generate: false,
    stall: { stallAfter: STALL_AFTER, scrapeTimeout: 2000 },
    ...c.extra?.(standIn),
  }, clock);
}

/** One run: "started ready live" verdicts, the message and the stall clock it reports. */
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

async function withStandIn(c: Case, body: (standIn: StandIn) => Promise<void>): Promise<void> {
  const standIn = await startStandIn(c.server, ["--model", MODEL, "--phase", "serving", ...c.args]);
  try {
    await body(standIn);
  } finally {
    await standIn.stop();
  }
}

for (const c of CASES) {
  test(
    `${c.label}: a wedge that every health route misses turns the check DOWN as a stall within stallAfter plus one interval, not before`,
    skip,
    () =>
      withStandIn(c, async (standIn) => {
        const clock = new ManualClock();
        const check = stallCheck(c, standIn, clock);
        assert.equal((await run(check)).verdicts, "UP UP UP", "serving, nothing waiting");
        await standIn.control({ phase: "wedged", ...c.wedge });
        const health = await standIn.request(c.health);
        await health.body?.cancel();
        assert.equal(health.status, 200, `${c.health} still answers 200 while wedged`);
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
        await pause(c.server === "sglang" ? 1200 : 500); // SGLang counts when a request ends
        clock.advance(INTERVAL);
        const back = await run(check);
        assert.equal(back.verdicts, "UP UP UP", back.message);
        assert.equal(back.stallSeconds, 0);
      }),
  );
}

test(
  "vllm: the first request after an hour idle is not a stall, and traffic keeps the clock stopped",
  skip,
  () =>
    withStandIn(CASES[0]!, async (standIn) => {
      const clock = new ManualClock();
      const check = stallCheck(CASES[0]!, standIn, clock);
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
        await pause(300);
        clock.advance(STALL_AFTER);
        const busy = await run(check);
        assert.equal(busy.verdicts, "UP UP UP", `under traffic, run ${runs}: ${busy.message}`);
      }
    }),
);
