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
const ON_DEMAND = "tests/scenarios/external/llm_presets_on_demand.test.ts";

/** File name in src/checks/llm/presets/ → the test files that cover it, comma-separated. */
export const COVERED: Record<string, string> = {
  "llamacpp.ts": `${ON_DEMAND}, tests/scenarios/external/llm_deep_probe_traffic.test.ts`,
  "ollama.ts": ON_DEMAND,
  "openai.ts": STAND_INS,
  "presets.ts": `${STAND_INS}, ${ON_DEMAND}`,
  "sglang.ts": STAND_INS,
  "tabbyapi.ts": STAND_INS,
  "tgi.ts": STAND_INS,
  "triton.ts": STAND_INS,
  "vllm.ts": STAND_INS,
};
