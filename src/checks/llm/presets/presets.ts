/**
 * The preset of each server an `llm` check knows, by its `server` name.
 *
 * @module
 */

import type { CheckConfigOf } from "../../../config/resolve.ts";
import { llamacpp } from "./llamacpp.ts";
import { ollama } from "./ollama.ts";
import { openai } from "./openai.ts";
import type { Preset } from "./preset.ts";
import { sglang } from "./sglang.ts";
import { tabbyapi } from "./tabbyapi.ts";
import { tgi } from "./tgi.ts";
import { triton } from "./triton.ts";
import { vllm } from "./vllm.ts";

/** A server an `llm` check knows. */
export type LlmServer = CheckConfigOf<"llm">["server"];

/** Every server's preset. */
export const PRESETS: Readonly<Record<LlmServer, Preset>> = {
  tabbyapi,
  vllm,
  llamacpp,
  ollama,
  tgi,
  sglang,
  triton,
  openai,
};
