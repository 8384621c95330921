/**
 * An `llm` check's `model`: an exact name or a `/regex/`, matched against the
 * names a server lists. Ollama names compare with `:latest` added to a name
 * without a tag, on both sides (Ollama lists `llama3.2` as `llama3.2:latest`).
 *
 * @module
 */

/** What a configured `model` matches. */
export interface ModelMatcher {
  /** The name as configured, or the pattern with its slashes. */
  readonly text: string;
  /** The exact name, when `model` is not a pattern. */
  readonly exact: string | undefined;
  matches(name: string): boolean;
  /** `model "x"` or `model /x/`, for messages. */
  readonly words: string;
}

/** A name with `:latest` added when it has no tag, as Ollama shows it. */
export function withLatest(name: string): string {
  return name.includes(":") ? name : `${name}:latest`;
}

/**
 * The matcher of a configured model; `undefined` when none is configured (any model).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelMatcher } from "./model_match.ts";
 * assert(modelMatcher("/^Qwen/", false)?.matches("Qwen/Qwen2.5-7B"));
 * assert(modelMatcher("llama3.2", true)?.matches("llama3.2:latest"));
 * assert(!modelMatcher("llama3.2", false)?.matches("llama3.2:latest"));
 * ```
 */
export function modelMatcher(
  model: string | undefined,
  ollamaNames: boolean,
): ModelMatcher | undefined {
  if (model === undefined) return undefined;
  if (/^\/.+\/$/.test(model)) {
    const pattern = new RegExp(model.slice(1, -1));
    return {
      text: model,
      exact: undefined,
      matches: (name) => pattern.test(name),
      words: `model ${model}`,
    };
  }
  const wanted = ollamaNames ? withLatest(model) : model;
  return {
    text: model,
    exact: model,
    matches: (name) => (ollamaNames ? withLatest(name) : name) === wanted,
    words: `model ${JSON.stringify(model)}`,
  };
}

/** Names for a message: `"a", "b"`, at most five, or `none`. */
export function listed(names: readonly string[]): string {
  if (names.length === 0) return "none";
  const shown = names.slice(0, 5).map((name) => JSON.stringify(name)).join(", ");
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
