// The `llm` kind's cheap look (src/checks/llm/) against the out-of-process
// stand-ins of the eight LLM servers (tests/fixtures/llm/*.py, Python), on the
// runtime running the tests. One check per server is driven through the
// stand-in's phases by its control port (refused before the first answer,
// loading, serving, idle, wrong_model, no_model and engine_dead where the
// server has them and the cheap look can see them, refused after it served),
// and each run's verdicts for started, ready and live and its message are
// asserted. Without python3 the tests skip and say why.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createCheck } from "../../../src/checks/create_check.ts";
import type { Check } from "../../../src/checks/check.ts";
import type { CheckConfig } from "../../../src/config/resolve.ts";
import { type StandIn, startStandIn } from "../../_helpers/llm_stand_in.ts";
import { platform } from "../../_helpers/platform.ts";
import { missingPython } from "../../_helpers/raw_peer.ts";

const skip = { skip: missingPython("the llm stand-in tests") };
const KEY = "sk-stand-in-key";
const MODEL = "test-model";

/** started ready live, as one string: "DOWN DOWN UP". */
type Verdicts = string;

const LOADING: Verdicts = "DOWN DOWN UP";
const WORKING: Verdicts = "UP UP UP";
const NOT_READY: Verdicts = "DOWN DOWN UP";
const ALL_DOWN: Verdicts = "DOWN DOWN DOWN";

/** One step: drive the stand-in (or cause a fault), then one run of the check. */
interface Step {
  readonly label: string;
  readonly control?: Record<string, unknown>;
  readonly cause?: (standIn: StandIn) => Promise<void>;
  readonly verdicts: Verdicts;
  readonly message: string | RegExp;
  /** Run again until the expectation holds, for at most this many ms (a fault that lands later). */
  readonly within?: number;
}

function llmCheck(server: string, url: string, extra: Record<string, unknown>): Check {
  const config = {
    name: "llm",
    type: "llm",
    server,
    url,
    model: MODEL,
    timeout: 5000,
    critical: true,
    groups: ["started", "ready", "live"],
    interval: 30_000,
    failureThreshold: 1,
    successThreshold: 1,
    ...extra,
  };
  return createCheck(config as unknown as CheckConfig, { platform });
}

async function look(check: Check): Promise<{ verdicts: Verdicts; message: string }> {
  const result = await check.run();
  const by = result.byGroup ?? {};
  const verdicts = [by.started?.status, by.ready?.status, by.live?.status].join(" ");
  const worst = verdicts.includes("DOWN") ? "DOWN" : "UP";
  assert.equal(
    result.status,
    worst,
    `the check's own status is the worst of its groups: ${result.message}`,
  );
  return { verdicts, message: result.message };
}

async function drive(
  server: string,
  args: string[],
  extra: Record<string, unknown>,
  steps: readonly Step[],
): Promise<void> {
  const standIn = await startStandIn(server, ["--model", MODEL, ...args]);
  try {
    const check = llmCheck(server, standIn.url, extra);
    for (const step of steps) {
      if (step.control) await standIn.control(step.control);
      if (step.cause) await step.cause(standIn);
      const deadline = Date.now() + (step.within ?? 0);
      let seen = await look(check);
      const holds = () =>
        seen.verdicts === step.verdicts &&
        (typeof step.message === "string"
          ? seen.message === step.message
          : step.message.test(seen.message));
      while (!holds() && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        seen = await look(check);
      }
      assert.equal(seen.verdicts, step.verdicts, `${server}, ${step.label}: ${seen.message}`);
      if (typeof step.message === "string") {
        assert.equal(seen.message, step.message, `${server}, ${step.label}`);
      } else {
        assert.match(seen.message, step.message, `${server}, ${step.label}`);
      }
    }
  } finally {
    await standIn.stop();
  }
}

const SERVING = `serving model "${MODEL}"`;
const WRONG = `model "${MODEL}" is not loaded: serving "other-model"`;
const refusedFirst = (route: string): Step => ({
  label: "refused before the first answer",
  verdicts: LOADING,
  message: `loading: not listening yet (${route}: connection refused)`,
});
const refusedAfter = (route: string): Step => ({
  label: "refused after it served",
  control: { phase: "refused" },
  verdicts: ALL_DOWN,
  message: new RegExp(`^${route} http://127\\.0\\.0\\.1:\\d+\\S* failed: connection refused$`),
});

test("vllm: refused and loading are loading, a dead engine fails every group", skip, async () => {
  await drive("vllm", ["--phase", "refused", "--api-key", KEY], { apiKey: KEY }, [
    refusedFirst("GET /health"),
    { ...refusedFirst("GET /health"), label: "loading (refused)", control: { phase: "loading" } },
    { label: "serving", control: { phase: "serving" }, verdicts: WORKING, message: SERVING },
    { label: "idle (as serving)", control: { phase: "idle" }, verdicts: WORKING, message: SERVING },
    {
      label: "wrong model",
      control: { phase: "wrong_model" },
      verdicts: NOT_READY,
      message: WRONG,
    },
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
  "llamacpp: Loading model is loading, asleep is idle, Compute error is unseen",
  skip,
  async () => {
    await drive("llamacpp", ["--phase", "refused", "--api-key", KEY], { apiKey: KEY }, [
      refusedFirst("GET /health"),
      {
        label: "loading",
        control: { phase: "loading" },
        verdicts: LOADING,
        message: 'loading: llama.cpp says "Loading model"',
      },
      { label: "serving", control: { phase: "serving" }, verdicts: WORKING, message: SERVING },
      {
        label: "idle (asleep)",
        control: { phase: "idle" },
        verdicts: WORKING,
        message: `idle: model "${MODEL}" is asleep, loads on demand`,
      },
      {
        label: "wrong model",
        control: { phase: "wrong_model" },
        verdicts: NOT_READY,
        message: WRONG,
      },
      // /health stays 200 through "Compute error.": only the deep probe sees it.
      {
        label: "engine dead (unseen)",
        control: { phase: "engine_dead" },
        verdicts: WORKING,
        message: SERVING,
      },
      refusedAfter("GET /health"),
    ]);
  },
);

test("llamacpp: without the key, /props says it is required", skip, async () => {
  await drive("llamacpp", ["--api-key", KEY], {}, [
    {
      label: "no key",
      verdicts: NOT_READY,
      message: "API key required by GET /props (HTTP 401): set apiKey",
    },
  ]);
});

test("llamacpp router mode: the model's status.value decides", skip, async () => {
  await drive("llamacpp", ["--router", "--phase", "loading"], {}, [
    {
      label: "loading",
      verdicts: LOADING,
      message: `loading: llama.cpp router says model "${MODEL}" is loading`,
    },
    { label: "serving", control: { phase: "serving" }, verdicts: WORKING, message: SERVING },
    {
      label: "idle (sleeping)",
      control: { phase: "idle" },
      verdicts: WORKING,
      message: `idle: model "${MODEL}" is asleep, loads on demand`,
    },
    {
      label: "no model (unloaded)",
      control: { phase: "no_model" },
      verdicts: WORKING,
      message: `idle: model "${MODEL}" not loaded, loads on demand`,
    },
  ]);
});

test(
  "ollama: a held /api/ps is loading, an empty one idle, a missing model fails ready",
  skip,
  async () => {
    const name = `${MODEL}:latest`;
    await drive("ollama", ["--phase", "refused"], {}, [
      refusedFirst("GET /"),
      {
        label: "loading",
        control: { phase: "loading" },
        verdicts: LOADING,
        message: "loading: GET /api/ps did not answer in 2000 ms (a model load holds it)",
      },
      {
        label: "serving",
        control: { phase: "serving" },
        verdicts: WORKING,
        message: `serving model "${name}"`,
      },
      {
        label: "idle",
        control: { phase: "idle" },
        verdicts: WORKING,
        message: `idle: model "${name}" not loaded, loads on demand`,
      },
      {
        // Ollama loads the configured model on demand, evicting the other: idle, not failing.
        label: "wrong model (another one loaded)",
        control: { phase: "wrong_model" },
        verdicts: WORKING,
        message: `idle: model "${name}" not loaded, loads on demand (loaded: "other-model:latest")`,
      },
      {
        label: "no model (not installed)",
        control: { phase: "no_model" },
        verdicts: NOT_READY,
        message: `model "${MODEL}" is not installed: installed "other-model:latest"`,
      },
      // / and /api/ps stay 200 with a dead runner: only the deep probe sees it.
      {
        label: "engine dead (unseen)",
        control: { phase: "engine_dead" },
        verdicts: WORKING,
        message: `serving model "${name}"`,
      },
      refusedAfter("GET /"),
    ]);
  },
);

test(
  "tgi: refused while loading, /health 503 after a failed generation fails every group",
  skip,
  async () => {
    await drive("tgi", ["--phase", "refused", "--api-key", KEY], { apiKey: KEY }, [
      refusedFirst("GET /health"),
      { ...refusedFirst("GET /health"), label: "loading (refused)", control: { phase: "loading" } },
      { label: "serving", control: { phase: "serving" }, verdicts: WORKING, message: SERVING },
      {
        label: "wrong model",
        control: { phase: "wrong_model" },
        verdicts: NOT_READY,
        message: WRONG,
      },
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
      {
        label: "loading (warmup)",
        control: { phase: "loading" },
        verdicts: LOADING,
        message: "loading: SGLang's GET /health answered HTTP 503 (warming up)",
      },
      { label: "serving", control: { phase: "serving" }, verdicts: WORKING, message: SERVING },
      {
        label: "wrong model",
        control: { phase: "wrong_model" },
        verdicts: NOT_READY,
        message: WRONG,
      },
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
    {
      label: "loading",
      control: { phase: "loading" },
      verdicts: LOADING,
      message: `loading: Triton's index says model "${MODEL}" is LOADING`,
    },
    { label: "serving", control: { phase: "serving" }, verdicts: WORKING, message: SERVING },
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
    { label: "serving", control: { phase: "serving" }, verdicts: WORKING, message: SERVING },
    {
      label: "loading (a swap)",
      control: { phase: "loading" },
      verdicts: LOADING,
      message:
        'loading: no model loaded (a swap may be running): TabbyAPI says "No models are currently loaded."',
    },
    {
      label: "no model",
      control: { phase: "no_model" },
      verdicts: LOADING,
      message:
        'loading: no model loaded (a swap may be running): TabbyAPI says "No models are currently loaded."',
    },
    {
      label: "wrong model",
      control: { phase: "wrong_model" },
      verdicts: NOT_READY,
      message: WRONG,
    },
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
    {
      ...refusedFirst("GET /v1/models"),
      label: "loading (refused)",
      control: { phase: "loading" },
    },
    { label: "serving", control: { phase: "serving" }, verdicts: WORKING, message: SERVING },
    {
      label: "no model",
      control: { phase: "no_model" },
      verdicts: NOT_READY,
      message: `model "${MODEL}" is not loaded: GET /v1/models lists no model`,
    },
    {
      label: "wrong model",
      control: { phase: "wrong_model" },
      verdicts: NOT_READY,
      message: WRONG,
    },
    {
      label: "engine dead (unseen)",
      control: { phase: "engine_dead" },
      verdicts: WORKING,
      message: SERVING,
    },
    refusedAfter("GET /v1/models"),
  ]);
});
