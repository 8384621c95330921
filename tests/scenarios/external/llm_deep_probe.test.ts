// The `llm` kind's deep probe (src/checks/llm/deep_probe.ts) against the
// out-of-process stand-ins (tests/fixtures/llm/*.py, Python), on the runtime
// running the tests. An engine that answers its health routes but cannot
// generate (llama.cpp "Compute error.", Ollama's dead runner, Triton's
// device-side assert, vLLM's undetected dead engine with /health 200) turns
// ready and live DOWN once the deep probe runs; the probe costs the server at
// most one generation per interval and none while its own token counter
// moves (the stand-in's generations, counted on its control port); a first
// token later than warnAfter is a readiness WARN, later than downAfter DOWN;
// an idle Ollama is never probed. Without python3 the tests skip and say why.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Check } from "../../../src/checks/check.ts";
import { createCheck } from "../../../src/checks/create_check.ts";
import type { Clock } from "../../../src/clock.ts";
import type { CheckConfig } from "../../../src/config/resolve.ts";
import { ManualClock } from "../../_helpers/clock.ts";
import { type StandIn, startStandIn } from "../../_helpers/llm_stand_in.ts";
import { platform } from "../../_helpers/platform.ts";
import { missingPython } from "../../_helpers/raw_peer.ts";

const skip = { skip: missingPython("the llm deep probe tests") };
const MODEL = "test-model";
const INTERVAL = 60_000;

function llmCheck(
  server: string,
  url: string,
  generate: Record<string, unknown>,
  clock?: Clock,
): Check {
  const config = {
    name: "llm",
    type: "llm",
    server,
    url,
    model: MODEL,
    timeout: 10_000,
    critical: true,
    groups: ["started", "ready", "live"],
    interval: 30_000,
    failureThreshold: 1,
    successThreshold: 1,
    generate: { interval: INTERVAL, timeout: 5000, prompt: "hi", ...generate },
  };
  return createCheck(config as unknown as CheckConfig, clock ? { platform, clock } : { platform });
}

/** One run: "started ready live" verdicts, the check's own status and its message. */
async function run(check: Check): Promise<{ verdicts: string; status: string; message: string }> {
  const result = await check.run();
  const by = result.byGroup ?? {};
  const verdicts = [by.started?.status, by.ready?.status, by.live?.status].join(" ");
  return { verdicts, status: result.status, message: result.message };
}

/** The generations the stand-in has run or failed through its API. */
async function generateRequests(standIn: StandIn): Promise<number> {
  const stats = await standIn.stats();
  return (stats.generations as number) + (stats.generation_failures as number);
}

const ENGINE_DEAD: readonly { server: string; args: string[]; words: RegExp }[] = [
  { server: "llamacpp", args: [], words: /Compute error\./ },
  { server: "ollama", args: [], words: /llama-server process has terminated/ },
  { server: "triton", args: [], words: /device-side assert triggered/ },
  { server: "vllm", args: [], words: /illegal memory access/ },
];

for (const { server, args, words } of ENGINE_DEAD) {
  test(
    `${server}: a dead engine that only a generation reveals turns ready and live DOWN at the next deep probe`,
    skip,
    async () => {
      const standIn = await startStandIn(server, ["--model", MODEL, "--phase", "serving", ...args]);
      const clock = new ManualClock();
      const check = llmCheck(server, standIn.url, {}, clock);
      try {
        let found = await run(check);
        assert.equal(found.verdicts, "UP UP UP", found.message);
        assert.match(found.message, /first token in \d+ ms/);
        assert.equal(await generateRequests(standIn), 1, "the first run probes");

        await standIn.control({ phase: "engine_dead" });
        found = await run(check);
        assert.equal(found.verdicts, "UP UP UP", `the last deep probe stands: ${found.message}`);
        clock.advance(INTERVAL / 2);
        found = await run(check);
        assert.equal(found.verdicts, "UP UP UP", found.message);
        assert.match(found.message, /deep probe 30s ago/);
        assert.equal(await generateRequests(standIn), 1, "no generation inside the interval");

        clock.advance(INTERVAL / 2);
        found = await run(check);
        assert.equal(found.verdicts, "DOWN DOWN DOWN", found.message);
        assert.equal(found.status, "DOWN");
        assert.match(found.message, words);
        assert.equal(await generateRequests(standIn), 2, "one generation per interval");
        clock.advance(1000);
        found = await run(check);
        assert.equal(found.verdicts, "DOWN DOWN DOWN", "the failure stands between probes");
        assert.match(found.message, /deep probe 1s ago/);
        assert.equal(await generateRequests(standIn), 2);
      } finally {
        await standIn.stop();
      }
    },
  );
}

test(
  "vllm: the deep probe sends no generation while the server's token counter moves",
  skip,
  async () => {
    const standIn = await startStandIn("vllm", ["--model", MODEL, "--phase", "serving"]);
    const clock = new ManualClock();
    const check = llmCheck("vllm", standIn.url, {}, clock);
    try {
      let found = await run(check);
      assert.equal(found.verdicts, "UP UP UP", found.message);
      for (let i = 0; i < 5; i++) {
        clock.advance(INTERVAL / 10);
        await run(check);
      }
      assert.equal(await generateRequests(standIn), 1, "at most one generation per interval");

      await standIn.control({ traffic: true });
      for (let round = 0; round < 3; round++) {
        await new Promise((resolve) => setTimeout(resolve, 400)); // the counters move every 100 ms
        clock.advance(INTERVAL);
        found = await run(check);
        assert.equal(found.verdicts, "UP UP UP", found.message);
        assert.match(found.message, /generating: \d+ tokens since the last deep probe/);
      }
      assert.equal(await generateRequests(standIn), 1, "traffic proves the engine: no probe sent");

      await standIn.control({ traffic: false });
      await new Promise((resolve) => setTimeout(resolve, 300));
      clock.advance(INTERVAL);
      await run(check); // counts the last traffic, or probes
      const before = await generateRequests(standIn);
      clock.advance(INTERVAL);
      found = await run(check);
      assert.match(found.message, /first token in \d+ ms/);
      assert.equal(
        await generateRequests(standIn),
        before + 1,
        "no traffic: the probe generates again",
      );
    } finally {
      await standIn.stop();
    }
  },
);

test(
  "vllm: a first token later than warnAfter is a readiness WARN, later than downAfter DOWN",
  skip,
  async () => {
    const standIn = await startStandIn("vllm", ["--model", MODEL, "--phase", "serving"]);
    try {
      await standIn.control({ generate_delay_ms: 400 });
      let found = await run(llmCheck("vllm", standIn.url, { warnAfter: 100 }));
      assert.equal(found.verdicts, "UP WARN UP", found.message);
      assert.equal(found.status, "WARN");
      assert.match(found.message, /first token in \d+ ms, over generate\.warnAfter \(100ms\)/);

      found = await run(llmCheck("vllm", standIn.url, { warnAfter: 100, downAfter: 200 }));
      assert.equal(found.verdicts, "DOWN DOWN DOWN", found.message);
      assert.match(found.message, /over generate\.downAfter \(200ms\)/);

      await standIn.control({ generate_delay_ms: 3000 });
      found = await run(llmCheck("vllm", standIn.url, { timeout: 500 }));
      assert.equal(found.verdicts, "DOWN DOWN DOWN", found.message);
      assert.match(found.message, /no token: POST \/v1\/completions did not answer in 500 ms/);
    } finally {
      await standIn.stop();
    }
  },
);

test("ollama: an idle model is not probed, the probe would load it", skip, async () => {
  const standIn = await startStandIn("ollama", ["--model", MODEL, "--phase", "idle"]);
  try {
    const found = await run(llmCheck("ollama", standIn.url, {}));
    assert.equal(found.verdicts, "UP UP UP", found.message);
    assert.match(found.message, /^idle: /);
    assert.equal(await generateRequests(standIn), 0);
  } finally {
    await standIn.stop();
  }
});
