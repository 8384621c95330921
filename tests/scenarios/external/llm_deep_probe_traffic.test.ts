// The deep probe's traffic skip (src/checks/llm/deep_probe.ts, progress.ts,
// metrics_page.ts) against the out-of-process stand-ins (tests/fixtures/llm/
// *.py, Python), on the runtime running the tests: one table of server →
// stand-in → expectations. Where the server has a progress counter on its
// metrics page (vLLM, llama.cpp single and router mode, TGI with and without
// the stall watchdog, SGLang, Triton with its backend's counter or only
// nv_inference_count on its own metrics port), the probe costs at most one
// generation per interval and none while clients generate, also when the
// check runs no more often than the probe is due; each run scrapes the page at
// most once. TabbyAPI has no metrics: its probe generates once
// per interval whatever the traffic. A router-mode llama.cpp model that is not
// loaded is neither probed nor scraped (either would load it). Without
// python3 the tests skip and say why.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../../_helpers/clock.ts";
import {
  generationRequests,
  llmCheck,
  metricsScrapes,
  MODEL,
  pause,
  runOnce,
} from "../../_helpers/llm_check.ts";
import { type StandIn, startStandIn } from "../../_helpers/llm_stand_in.ts";
import { missingPython } from "../../_helpers/raw_peer.ts";

const skip = { skip: missingPython("the llm deep probe traffic tests") };
const INTERVAL = 60_000;

interface Case {
  readonly label: string;
  readonly server: string;
  readonly args: string[];
  /** Check keys besides generate (Triton: its metrics port). */
  readonly extra?: (standIn: StandIn) => Record<string, unknown>;
  /** The counter that proves traffic; unset: the server has none. */
  readonly counter?: string;
  /** Real time between traffic rounds: counters that move when a request ends move once a second. */
  readonly wait: number;
  /** `GET /metrics` on the API port in the first six runs (one probe, five inside the interval). */
  readonly scrapes?: number;
}

const rose = (counter: string) =>
  new RegExp(`generating: "${counter}" rose by \\d+ since the last deep probe`);

const tritonMetrics = (standIn: StandIn) => ({
  metricsUrl: `http://127.0.0.1:${standIn.ports.metrics_port}/metrics`,
});

const CASES: readonly Case[] = [
  {
    label: "vllm",
    server: "vllm",
    args: [],
    counter: "vllm:generation_tokens_total",
    wait: 400,
    scrapes: 6,
  },
  {
    label: "llamacpp",
    server: "llamacpp",
    args: ["--metrics"],
    counter: "llamacpp:n_decode_total",
    wait: 400,
    scrapes: 6,
  },
  {
    label: "llamacpp router mode (?model= on /metrics)",
    server: "llamacpp",
    args: ["--router", "--metrics"],
    counter: "llamacpp:n_decode_total",
    wait: 400,
    scrapes: 6,
  },
  {
    label: "tgi",
    server: "tgi",
    args: [],
    counter: "tgi_batch_inference_count",
    wait: 400,
    scrapes: 6,
  },
  {
    // Without the watchdog the page is read only when the probe is due and at the run after it.
    label: "tgi with stall: false",
    server: "tgi",
    args: [],
    extra: () => ({ stall: false }),
    counter: "tgi_batch_inference_count",
    wait: 400,
    scrapes: 2,
  },
  {
    label: "sglang",
    server: "sglang",
    args: ["--enable-metrics"],
    counter: "sglang:generation_tokens_total",
    wait: 1200,
    scrapes: 6,
  },
  {
    label: "triton (vLLM backend counter on the metrics port)",
    server: "triton",
    args: [],
    extra: tritonMetrics,
    counter: "vllm:generation_tokens_total",
    wait: 400,
  },
  {
    label: "triton without REPORT_CUSTOM_METRICS (nv_inference_count)",
    server: "triton",
    args: ["--no-custom-metrics"],
    extra: tritonMetrics,
    counter: "nv_inference_count",
    wait: 1200,
  },
  { label: "tabbyapi (no metrics)", server: "tabbyapi", args: [], wait: 200 },
];

for (const { label, server, args, extra, counter, wait, scrapes } of CASES) {
  const title = counter === undefined
    ? `${label}: without a counter the deep probe generates once per interval, traffic or not`
    : `${label}: the deep probe sends at most one generation per interval and none while ${counter} moves`;
  test(title, skip, async () => {
    const standIn = await startStandIn(server, ["--model", MODEL, "--phase", "serving", ...args]);
    const clock = new ManualClock();
    const check = llmCheck(server, standIn.url, {
      generate: { interval: INTERVAL, timeout: 5000, prompt: "hi" },
      ...extra?.(standIn),
    }, clock);
    try {
      let found = await runOnce(check);
      assert.equal(found.verdicts, "UP UP UP", found.message);
      for (let i = 0; i < 5; i++) {
        clock.advance(INTERVAL / 10);
        await runOnce(check);
      }
      assert.equal(await generationRequests(standIn), 1, "at most one generation per interval");
      if (scrapes !== undefined) assert.equal(await metricsScrapes(standIn), scrapes);

      await standIn.control({ traffic: true });
      for (let round = 1; round <= 3; round++) {
        await pause(wait);
        clock.advance(INTERVAL);
        found = await runOnce(check);
        assert.equal(found.verdicts, "UP UP UP", found.message);
        if (counter === undefined) {
          assert.match(found.message, /first token in \d+ ms/);
          assert.equal(await generationRequests(standIn), 1 + round, "one probe each interval");
        } else {
          assert.match(found.message, rose(counter));
          assert.equal(await generationRequests(standIn), 1, "traffic proves the engine");
        }
      }
      if (counter === undefined) return;

      await standIn.control({ traffic: false });
      await pause(wait);
      clock.advance(INTERVAL);
      await runOnce(check); // counts the last traffic
      const before = await generationRequests(standIn);
      clock.advance(INTERVAL);
      found = await runOnce(check);
      assert.match(found.message, /first token in \d+ ms/);
      assert.equal(await generationRequests(standIn), before + 1, "no traffic: the probe again");

      // Clients start right after that probe, and the next run is already due (a check that
      // runs once per generate.interval): the rise since before the probe is traffic.
      await standIn.control({ traffic: true });
      await pause(3 * wait);
      clock.advance(INTERVAL);
      found = await runOnce(check);
      assert.match(found.message, rose(counter));
      assert.equal(await generationRequests(standIn), before + 1, "traffic proves the engine");
    } finally {
      await standIn.stop();
    }
  });
}

test(
  "llamacpp router mode: a model that is not loaded is neither probed nor scraped",
  skip,
  async () => {
    const standIn = await startStandIn("llamacpp", [
      "--model",
      MODEL,
      "--router",
      "--metrics",
      "--phase",
      "no_model",
    ]);
    const clock = new ManualClock();
    const check = llmCheck(
      "llamacpp",
      standIn.url,
      { generate: { timeout: 5000, prompt: "hi" } },
      clock,
    );
    try {
      for (let i = 0; i < 3; i++) {
        const found = await runOnce(check);
        assert.equal(found.verdicts, "UP UP UP", found.message);
        assert.equal(found.message, `idle: model "${MODEL}" not loaded, loads on demand`);
        clock.advance(10 * 60_000);
      }
      assert.equal(await generationRequests(standIn), 0);
      assert.equal(await metricsScrapes(standIn), 0);
      assert.equal((await standIn.stats()).phase, "no_model", "the model is still not loaded");
    } finally {
      await standIn.stop();
    }
  },
);

test(
  "vllm: a check that runs once per interval does not take its own probe's token for traffic",
  skip,
  async () => {
    const standIn = await startStandIn("vllm", ["--model", MODEL, "--phase", "serving"]);
    const clock = new ManualClock();
    const generate = { generate: { interval: INTERVAL, timeout: 5000, prompt: "hi" } };
    const check = llmCheck("vllm", standIn.url, generate, clock);
    try {
      for (let run = 1; run <= 3; run++) {
        const found = await runOnce(check);
        assert.equal(found.verdicts, "UP UP UP", found.message);
        assert.match(found.message, /first token in \d+ ms$/);
        assert.equal(await generationRequests(standIn), run, "every due run probes");
        clock.advance(INTERVAL);
      }
    } finally {
      await standIn.stop();
    }
  },
);
