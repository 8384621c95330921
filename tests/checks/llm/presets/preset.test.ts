// The readings every llm preset shares (src/checks/llm/presets/preset.ts): a
// request with no answer before and after the server started, a refused key,
// an answer that is not the server's, the server's words in error bodies,
// OpenAI model lists, and the served model matched against `model`.

import assert from "node:assert/strict";
import { test } from "node:test";
import { modelMatcher } from "../../../../src/checks/llm/model_match.ts";
import {
  keyRefused,
  noAnswer,
  openaiIds,
  servingOneOf,
  unexpected,
  wordsOf,
} from "../../../../src/checks/llm/presets/preset.ts";

const answer = (status: number, text: string) => ({
  kind: "answer" as const,
  route: "GET /v1/models",
  status,
  text,
  json: (() => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  })(),
});

test("a refused connection before the server started is loading, after it unreachable", () => {
  const refused = {
    kind: "refused" as const,
    route: "GET /health",
    reason: "GET /health x failed: connection refused",
  };
  assert.deepEqual(noAnswer(refused, false), {
    phase: "loading",
    message: "loading: not listening yet (GET /health: connection refused)",
  });
  assert.deepEqual(noAnswer(refused, true), {
    phase: "failing",
    cause: "unreachable",
    message: "GET /health x failed: connection refused",
  });
  const reset = { kind: "failed" as const, route: "GET /health", reason: "reset" };
  assert.equal(noAnswer(reset, false).phase, "failing");
});

test("a 401 says whether the key is missing or rejected", () => {
  assert.equal(
    keyRefused(answer(401, ""), true).message,
    "API key rejected by GET /v1/models (HTTP 401)",
  );
  assert.equal(
    keyRefused(answer(401, ""), false).message,
    "API key required by GET /v1/models (HTTP 401): set apiKey",
  );
});

test("an unexpected answer is a protocol failure quoting the body's start", () => {
  const look = unexpected(answer(500, "<html>oops</html>"), "vLLM");
  assert.deepEqual(look, {
    phase: "failing",
    cause: "protocol",
    message: 'unexpected HTTP 500 from GET /v1/models for vLLM: "<html>oops</html>"',
  });
});

test("the server's own words come from error.message, error, detail or message", () => {
  assert.equal(wordsOf({ error: { code: 503, message: "Loading model" } }), "Loading model");
  assert.equal(wordsOf({ error: "Server exiting" }), "Server exiting");
  assert.equal(
    wordsOf({ detail: "No models are currently loaded." }),
    "No models are currently loaded.",
  );
  assert.equal(wordsOf({ message: "m" }), "m");
  assert.equal(wordsOf("text"), undefined);
});

test("OpenAI model lists give their ids; other bodies none", () => {
  assert.deepEqual(openaiIds({ object: "list", data: [{ id: "a" }, { id: 2 }, { id: "b" }] }), [
    "a",
    "b",
  ]);
  assert.equal(openaiIds({ models: [] }), undefined);
});

test("the served model is matched against model, or the first is taken without one", () => {
  assert.equal(
    servingOneOf(["a", "b"], modelMatcher("b", false), "GET /v1/models").message,
    'serving model "b"',
  );
  assert.equal(servingOneOf(["a", "b"], undefined, "GET /v1/models").message, 'serving model "a"');
  assert.deepEqual(servingOneOf([], modelMatcher("a", false), "GET /v1/models"), {
    phase: "failing",
    cause: "model",
    message: 'model "a" is not loaded: GET /v1/models lists no model',
  });
  assert.equal(
    servingOneOf(["x", "y"], modelMatcher("/^a/", false), "GET /v1/models").message,
    'model /^a/ is not loaded: serving "x", "y"',
  );
});
