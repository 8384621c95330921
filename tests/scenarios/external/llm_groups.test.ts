// One llm check behind vitals' own endpoints (Health and the HTTP handler):
// against the vLLM stand-in (tests/fixtures/llm/vllm.py, Python, out of
// process), /health/live, /health/ready, /health/started and /health answer
// with that group's verdict and /health with the worst: loading keeps live
// 200, serving makes all 200, and refused after serving fails live while
// started stays latched. Without python3 the test skips and says why.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createCheck } from "../../../src/checks/create_check.ts";
import type { CheckConfig } from "../../../src/config/resolve.ts";
import { ManualClock } from "../../_helpers/clock.ts";
import { onDemand, TTL } from "../../_helpers/health.ts";
import { get } from "../../_helpers/http.ts";
import { startStandIn } from "../../_helpers/llm_stand_in.ts";
import { platform } from "../../_helpers/platform.ts";
import { missingPython } from "../../_helpers/raw_peer.ts";

const skip = { skip: missingPython("the llm endpoint test") };
const PATHS = ["/health/started", "/health/ready", "/health/live", "/health"] as const;

test("an llm check answers each probe with its group's verdict", skip, async () => {
  const standIn = await startStandIn("vllm", ["--model", "m", "--phase", "refused"]);
  const clock = new ManualClock();
  const check = createCheck({
    name: "llm",
    type: "llm",
    server: "vllm",
    url: standIn.url,
    model: "m",
    timeout: 5000,
    critical: true,
    groups: ["started", "ready", "live"],
    interval: TTL,
    failureThreshold: 1,
    successThreshold: 1,
  } as unknown as CheckConfig, { platform });
  const { health, handler } = onDemand([check], clock);
  const codes = async () => {
    const found: number[] = [];
    for (const path of PATHS) {
      const response = await get(handler, path);
      await response.body?.cancel();
      found.push(response.status);
    }
    return found.join(" ");
  };
  try {
    // started, ready, live, /health
    assert.equal(await codes(), "503 503 200 503", "refused before it ever answered: loading");
    const live = await (await get(handler, "/health/live")).json() as {
      checks: { status: string; message: string }[];
    };
    assert.equal(live.checks[0]?.status, "UP");
    assert.match(live.checks[0]?.message ?? "", /^loading: not listening yet/);

    await standIn.control({ phase: "serving" });
    clock.advance(TTL + 1);
    assert.equal(await codes(), "200 200 200 200", "serving");

    await standIn.control({ phase: "refused" });
    clock.advance(TTL + 1);
    assert.equal(await codes(), "200 503 503 503", "refused after serving: started stays latched");
  } finally {
    health.close();
    await standIn.stop();
  }
});
