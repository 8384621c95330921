// The `llm` kind's deep probe (src/checks/llm/deep_probe.ts, generation.ts)
// against the out-of-process stand-ins (tests/fixtures/llm/*.py, Python), on
// the runtime running the tests. An engine that answers its health routes but
// cannot generate (llama.cpp "Compute error.", Ollama's dead runner, Triton's
// device-side assert, vLLM's undetected dead engine, TGI and TabbyAPI before
// their first failed generation) turns ready and live DOWN at the next deep
// probe, and the probe costs the server at most one generation per interval
// (the stand-in's own count of generation requests); a first token later than
// warnAfter is a readiness WARN, later than downAfter or never (timeout) DOWN,
// on every server with a generation route (SGLang's only failure of a live
// process is a hang: its dead scheduler ends the process); an idle Ollama is
// never probed. The traffic skip: llm_deep_probe_traffic.test.ts. Without
// python3 the tests skip and say why.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../../_helpers/clock.ts";
import { generationRequests, llmCheck, MODEL, runOnce } from "../../_helpers/llm_check.ts";
import { startStandIn } from "../../_helpers/llm_stand_in.ts";
import { missingPython } from "../../_helpers/raw_peer.ts";

const skip = { skip: missingPython("the llm deep probe tests") };
const INTERVAL = 60_000;
const generate = (more: Record<string, unknown> = {}) => ({
  generate: { interval: INTERVAL, timeout: 5000, prompt: "hi", ...more },
});

/** A server whose health routes stay OK while its engine cannot generate. */
interface EngineDead {
  readonly server: string;
  readonly args?: string[];
  /** The probe's failure, in the server's words. */
  readonly words: RegExp;
  /** What the next run says: the failure standing, or the cheap look that now sees it. */
  readonly after: RegExp;
}

const STANDS = /deep probe 1s ago/;
const ENGINE_DEAD: readonly EngineDead[] = [
  { server: "llamacpp", words: /Compute error\./, after: STANDS },
  { server: "ollama", words: /llama-server process has terminated/, after: STANDS },
  { server: "triton", words: /device-side assert triggered/, after: STANDS },
  { server: "vllm", words: /illegal memory access/, after: STANDS },
  // TGI: the failed generation clears its health flag, /health then says 503.
  {
    server: "tgi",
    words: /POST \/generate answered HTTP 424: "Request failed during generation/,
    after: /^engine failing: TGI's GET \/health says "unhealthy" \(HTTP 503\)$/,
  },
  // TabbyAPI: the failed generation is a sticky /health 503.
  {
    server: "tabbyapi",
    words: /POST \/v1\/completions answered HTTP 503: "Completion \w+ aborted/,
    after: /^unhealthy \(HTTP 503, until TabbyAPI restarts\)/,
  },
];

for (const { server, args = [], words, after } of ENGINE_DEAD) {
  test(
    `${server}: a dead engine that only a generation reveals turns ready and live DOWN at the next deep probe`,
    skip,
    async () => {
      const standIn = await startStandIn(server, ["--model", MODEL, "--phase", "serving", ...args]);
      const clock = new ManualClock();
      const check = llmCheck(server, standIn.url, generate(), clock);
      try {
        let found = await runOnce(check);
        assert.equal(found.verdicts, "UP UP UP", found.message);
        assert.match(found.message, /first token in \d+ ms/);
        assert.equal(await generationRequests(standIn), 1, "the first run probes");

        await standIn.control({ phase: "engine_dead" });
        found = await runOnce(check);
        assert.equal(found.verdicts, "UP UP UP", `the last deep probe stands: ${found.message}`);
        clock.advance(INTERVAL / 2);
        found = await runOnce(check);
        assert.equal(found.verdicts, "UP UP UP", found.message);
        assert.match(found.message, /deep probe 30s ago/);
        assert.equal(await generationRequests(standIn), 1, "no generation inside the interval");

        clock.advance(INTERVAL / 2);
        found = await runOnce(check);
        assert.equal(found.verdicts, "DOWN DOWN DOWN", found.message);
        assert.equal(found.status, "DOWN");
        assert.match(found.message, words);
        assert.equal(await generationRequests(standIn), 2, "one generation per interval");
        clock.advance(1000);
        found = await runOnce(check);
        assert.equal(found.verdicts, "DOWN DOWN DOWN", `the failure stands: ${found.message}`);
        assert.match(found.message, after);
        assert.equal(await generationRequests(standIn), 2);
      } finally {
        await standIn.stop();
      }
    },
  );
}

/** The route each server's deep probe posts to, as timeouts name it. */
const SLOW: readonly { server: string; args?: string[]; route: string }[] = [
  { server: "vllm", route: "POST /v1/completions" },
  { server: "tgi", route: "POST /generate" },
  { server: "sglang", args: ["--enable-metrics"], route: "POST /generate" },
  { server: "tabbyapi", route: "POST /v1/completions" },
  { server: "triton", route: `POST /v2/models/${MODEL}/generate` },
];

for (const { server, args = [], route } of SLOW) {
  test(
    `${server}: a first token later than warnAfter is a readiness WARN, later than downAfter or never DOWN`,
    skip,
    async () => {
      const standIn = await startStandIn(server, ["--model", MODEL, "--phase", "serving", ...args]);
      try {
        await standIn.control({ generate_delay_ms: 400 });
        let found = await runOnce(llmCheck(server, standIn.url, generate({ warnAfter: 100 })));
        assert.equal(found.verdicts, "UP WARN UP", found.message);
        assert.equal(found.status, "WARN");
        assert.match(found.message, /first token in \d+ ms, over generate\.warnAfter \(100ms\)/);

        const down = generate({ warnAfter: 100, downAfter: 200 });
        found = await runOnce(llmCheck(server, standIn.url, down));
        assert.equal(found.verdicts, "DOWN DOWN DOWN", found.message);
        assert.match(found.message, /^first token in \d+ ms, over generate\.downAfter \(200ms\)/);

        await standIn.control({ generate_delay_ms: 3000 });
        found = await runOnce(llmCheck(server, standIn.url, generate({ timeout: 500 })));
        assert.equal(found.verdicts, "DOWN DOWN DOWN", found.message);
        assert.equal(found.message, `no token: ${route} did not answer in 500 ms`);
      } finally {
        await standIn.stop();
      }
    },
  );
}

test(
  "sglang: a wedged engine, whose routes still answer, is DOWN when the probe gets no token",
  skip,
  async () => {
    const standIn = await startStandIn("sglang", ["--model", MODEL, "--enable-metrics"]);
    try {
      // Every run is due (interval 1 ms); a started check no longer asks /health.
      const check = llmCheck("sglang", standIn.url, generate({ interval: 1, timeout: 1000 }));
      let found = await runOnce(check);
      assert.equal(found.verdicts, "UP UP UP", found.message);
      await standIn.control({ phase: "wedged" });
      found = await runOnce(check);
      assert.equal(found.verdicts, "DOWN DOWN DOWN", found.message);
      assert.equal(found.message, "no token: POST /generate did not answer in 1000 ms");
    } finally {
      await standIn.stop();
    }
  },
);

test("ollama: an idle model is not probed, the probe would load it", skip, async () => {
  const standIn = await startStandIn("ollama", ["--model", MODEL, "--phase", "idle"]);
  try {
    const found = await runOnce(llmCheck("ollama", standIn.url, generate()));
    assert.equal(found.verdicts, "UP UP UP", found.message);
    assert.match(found.message, /^idle: /);
    assert.equal(await generationRequests(standIn), 0);
  } finally {
    await standIn.stop();
  }
});
