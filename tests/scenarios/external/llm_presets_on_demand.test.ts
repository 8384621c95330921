// The `llm` kind's cheap look (src/checks/llm/) against the out-of-process
// stand-ins of the servers that load models on demand and go idle (llama.cpp
// single and router mode, Ollama; tests/fixtures/llm/*.py, Python), on the
// runtime running the tests: each check is driven through the stand-in's
// phases (loading while listening, serving, idle, wrong_model, no_model,
// engine_dead that only a generation sees, refused after it served), and each
// run's verdicts for started, ready and live and its message are asserted
// (tests/_helpers/llm_steps.ts). The other servers: llm_presets.test.ts.
// Without python3 the tests skip and say why.

import { test } from "node:test";
import { MODEL } from "../../_helpers/llm_check.ts";
import {
  drive,
  engineUnseen,
  LOADING,
  loadingStep,
  NOT_READY,
  refusedAfter,
  refusedFirst,
  servingStep,
  WORKING,
  wrongModel,
} from "../../_helpers/llm_steps.ts";
import { missingPython } from "../../_helpers/raw_peer.ts";

const skip = { skip: missingPython("the llm stand-in tests") };
const KEY = "sk-stand-in-key";

test(
  "llamacpp: Loading model is loading, asleep is idle, Compute error is unseen",
  skip,
  async () => {
    await drive("llamacpp", ["--phase", "refused", "--api-key", KEY], { apiKey: KEY }, [
      refusedFirst("GET /health"),
      loadingStep('loading: llama.cpp says "Loading model"'),
      servingStep,
      {
        label: "idle (asleep)",
        control: { phase: "idle" },
        verdicts: WORKING,
        message: `idle: model "${MODEL}" is asleep, loads on demand`,
      },
      wrongModel,
      // /health stays 200 through "Compute error.": only the deep probe sees it.
      engineUnseen(),
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
    servingStep,
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
      loadingStep("loading: GET /api/ps did not answer in 2000 ms (a model load holds it)"),
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
      engineUnseen(`serving model "${name}"`),
      refusedAfter("GET /"),
    ]);
  },
);
