// An llm check's `model` (src/checks/llm/model_match.ts): exact names, /regex/
// patterns, Ollama's `:latest` on both sides, and names listed in messages.

import assert from "node:assert/strict";
import { test } from "node:test";
import { listed, modelMatcher, withLatest } from "../../../src/checks/llm/model_match.ts";

test("no model configured matches nothing in particular: the matcher is undefined", () => {
  assert.equal(modelMatcher(undefined, false), undefined);
});

test("an exact name matches only itself", () => {
  const model = modelMatcher("Qwen/Qwen2.5-7B", false)!;
  assert.equal(model.matches("Qwen/Qwen2.5-7B"), true);
  assert.equal(model.matches("Qwen/Qwen2.5-7B-Instruct"), false);
  assert.equal(model.exact, "Qwen/Qwen2.5-7B");
  assert.equal(model.words, 'model "Qwen/Qwen2.5-7B"');
});

test("a /regex/ matches by pattern and has no exact name", () => {
  const model = modelMatcher("/^Qwen/", false)!;
  assert.equal(model.matches("Qwen/Qwen2.5-7B"), true);
  assert.equal(model.matches("meta/llama"), false);
  assert.equal(model.exact, undefined);
  assert.equal(model.words, "model /^Qwen/");
});

test("Ollama names compare with :latest added on both sides", () => {
  assert.equal(withLatest("llama3.2"), "llama3.2:latest");
  assert.equal(withLatest("llama3.2:1b"), "llama3.2:1b");
  assert.equal(modelMatcher("llama3.2", true)!.matches("llama3.2:latest"), true);
  assert.equal(modelMatcher("llama3.2:latest", true)!.matches("llama3.2"), true);
  assert.equal(modelMatcher("llama3.2", true)!.matches("llama3.2:1b"), false);
  assert.equal(modelMatcher("llama3.2", false)!.matches("llama3.2:latest"), false);
});

test("listed names are quoted, at most five, or none", () => {
  assert.equal(listed([]), "none");
  assert.equal(listed(["a", "b"]), '"a", "b"');
  assert.equal(listed(["1", "2", "3", "4", "5", "6", "7"]), '"1", "2", "3", "4", "5" and 2 more');
});
