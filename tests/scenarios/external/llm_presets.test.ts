// The `llm` kind's cheap look (src/checks/llm/) against the out-of-process
// stand-ins of the servers that refuse connections while they load (vLLM,
// TGI, SGLang, Triton, TabbyAPI, generic OpenAI; tests/fixtures/llm/*.py,
// Python), on the runtime running the tests. One check per server is driven
// through the stand-in's phases by its control port (refused before the first
// answer, loading, serving, wrong_model, no_model and engine_dead where the
// server has them and the cheap look can see them, refused after it served),
// and each run's verdicts for started, ready and live and its message are
// asserted (tests/_helpers/llm_steps.ts). llama.cpp and Ollama, which listen
// while they load and go idle: llm_presets_on_demand.test.ts. Without python3
// the tests skip and say why.

import assert from "node:assert/strict";
import { test } from "node:test";
import { MODEL } from "../../_helpers/llm_check.ts";
import {
  ALL_DOWN,
  drive,
  engineUnseen,
  LOADING,
  loadingStep,
  NOT_READY,
  refusedAfter,
  refusedFirst,
  refusedLoading,
  SERVING,
  servingStep,
  WORKING,
  WRONG,
  wrongModel,
} from "../../_helpers/llm_steps.ts";
import { missingPython } from "../../_helpers/raw_peer.ts";

const skip = { skip: missingPython("the llm stand-in tests") };
const KEY = "sk-stand-in-key";

test("vllm: refused and loading are loading, a dead engine fails every group", skip, async () => {
  await drive("vllm", ["--phase", "refused", "--api-key", KEY], { apiKey: KEY }, [
    refusedFirst("GET /health"),
    refusedLoading("GET /health"),
    servingStep,
    { label: "idle (as serving)", control: { phase: "idle" }, verdicts: WORKING, message: SERVING },
    wrongModel,
    {
      label: "engine dead, detected",
      control: { detected: true, exit_after_ms: 600_000, phase: "engine_dead" },
      verdicts: ALL_DOWN,
      message: "engine dead: vLLM's GET /health answered HTTP 503",
    },
    refusedAfter("GET /health"),
  ]);
});

test("vllm: a wrong key fails started and ready, not live", skip, async () => {
  await drive("vllm", ["--api-key", KEY], { apiKey: "sk-wrong-key" }, [
    {
      label: "wrong key",
      verdicts: NOT_READY,
      message: "API key rejected by GET /v1/models (HTTP 401)",
    },
  ]);
});

test(
  "tgi: refused while loading, /health 503 after a failed generation fails every group",
  skip,
  async () => {
    await drive("tgi", ["--phase", "refused", "--api-key", KEY], { apiKey: KEY }, [
      refusedFirst("GET /health"),
      refusedLoading("GET /health"),
      servingStep,
      wrongModel,
      // TGI's /health is 200 until a generation fails.
      {
        label: "engine dead, before a generation",
        control: { phase: "engine_dead" },
        verdicts: WORKING,
        message: SERVING,
      },
      {
        label: "engine dead, after a generation failed",
        cause: async (standIn) => {
          const response = await standIn.request("/generate", {
            method: "POST",
            headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
            body: JSON.stringify({ inputs: "hi", parameters: { max_new_tokens: 1 } }),
          });
          await response.body?.cancel();
          assert.equal(response.status, 424);
        },
        verdicts: ALL_DOWN,
        message: `engine failing: TGI's GET /health says "unhealthy" (HTTP 503)`,
      },
      refusedAfter("GET /health"),
    ]);
  },
);

test(
  "sglang: /health 503 during warmup is loading, a dead scheduler ends in refused",
  skip,
  async () => {
    await drive("sglang", ["--phase", "refused", "--api-key", KEY], { apiKey: KEY }, [
      refusedFirst("GET /get_model_info"),
      loadingStep(
        "loading: SGLang's GET /health answered HTTP 503 (warming up)",
        "loading (warmup)",
      ),
      servingStep,
      wrongModel,
      {
        label: "engine dead (the process exits)",
        control: { phase: "engine_dead", exit_after_ms: 0 },
        verdicts: ALL_DOWN,
        message: /^GET \/get_model_info http:\/\/127\.0\.0\.1:\d+\S* failed: connection refused$/,
        within: 5000,
      },
    ]);
  },
);

test("triton: the model's own readiness and the index decide", skip, async () => {
  const says = (words: string) => `Triton says "Request for unknown model: '${MODEL}' ${words}"`;
  await drive("triton", ["--phase", "refused"], {}, [
    refusedFirst("GET /v2/health/live"),
    loadingStep(`loading: Triton's index says model "${MODEL}" is LOADING`),
    servingStep,
    {
      label: "no model (unloaded)",
      control: { phase: "no_model" },
      verdicts: NOT_READY,
      message: `model "${MODEL}" is not loaded: ${
        says("has no available versions")
      }, index: UNAVAILABLE (unloaded)`,
    },
    {
      label: "wrong model",
      control: { phase: "wrong_model" },
      verdicts: NOT_READY,
      message: `${WRONG} (${says("is not found")})`,
    },
    {
      label: "engine dead (stub dead)",
      control: { stub_dead: true, phase: "engine_dead" },
      verdicts: ALL_DOWN,
      message: `model "${MODEL}": Triton says "Model version not ready"`,
    },
    refusedAfter("GET /v2/health/live"),
  ]);
});

test("tabbyapi: no model is loading, a failed generation is unhealthy for good", skip, async () => {
  await drive("tabbyapi", ["--phase", "refused", "--api-key", KEY], { apiKey: KEY }, [
    refusedFirst("GET /health"),
    servingStep,
    loadingStep(
      'loading: no model loaded (a swap may be running): TabbyAPI says "No models are currently loaded."',
      "loading (a swap)",
    ),
    {
      label: "no model",
      control: { phase: "no_model" },
      verdicts: LOADING,
      message:
        'loading: no model loaded (a swap may be running): TabbyAPI says "No models are currently loaded."',
    },
    wrongModel,
    {
      label: "engine dead, after a generation failed",
      control: { phase: "engine_dead" },
      cause: async (standIn) => {
        const response = await standIn.request("/v1/completions", {
          method: "POST",
          headers: { "x-api-key": KEY, "content-type": "application/json" },
          body: JSON.stringify({ prompt: "hi", max_tokens: 1 }),
        });
        await response.body?.cancel();
        assert.equal(response.status, 503);
      },
      verdicts: ALL_DOWN,
      message:
        /^unhealthy \(HTTP 503, until TabbyAPI restarts\): 1 issue: \[.+\] RuntimeError: CUDA error/,
    },
    {
      label: "serving again (unhealthy stays)",
      control: { phase: "serving" },
      verdicts: ALL_DOWN,
      message: /^unhealthy \(HTTP 503, until TabbyAPI restarts\)/,
    },
    refusedAfter("GET /health"),
  ]);
});

test("openai: /v1/models is liveness and readiness at once", skip, async () => {
  await drive("openai", ["--phase", "refused", "--api-key", KEY], { apiKey: KEY }, [
    refusedFirst("GET /v1/models"),
    refusedLoading("GET /v1/models"),
    servingStep,
    {
      label: "no model",
      control: { phase: "no_model" },
      verdicts: NOT_READY,
      message: `model "${MODEL}" is not loaded: GET /v1/models lists no model`,
    },
    wrongModel,
    engineUnseen(),
    refusedAfter("GET /v1/models"),
  ]);
});
