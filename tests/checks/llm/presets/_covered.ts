/**
 * The source files of src/checks/llm/presets/ that have no test file of their
 * own, each with the test files that exercise it (paths from the repository
 * root): every server's preset is tested against its out-of-process stand-in
 * (tests/fixtures/llm/), which needs python3, so those tests live in
 * tests/scenarios/external/. tests/scenarios/layout.test.ts checks this map.
 *
 * @module
 */

const STAND_INS = "tests/scenarios/external/llm_presets.test.ts";

/** File name in src/checks/llm/presets/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "llamacpp.ts": STAND_INS,
  "ollama.ts": STAND_INS,
  "openai.ts": STAND_INS,
  "presets.ts": STAND_INS,
  "sglang.ts": STAND_INS,
  "tabbyapi.ts": STAND_INS,
  "tgi.ts": STAND_INS,
  "triton.ts": STAND_INS,
  "vllm.ts": STAND_INS,
};
