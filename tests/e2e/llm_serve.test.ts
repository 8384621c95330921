// vitals serve with an llm check, as a process: from source on the runtime
// under test and as the compiled binary, against the vLLM stand-in
// (tests/fixtures/llm/vllm.py, Python, out of process). Each probe path
// answers with its group's verdict while the server loads (refused), serves,
// and after its engine died behind a /health that says 503 (vLLM's own
// answer), and after a reload a server gone after it served still fails
// liveness; so the kind works in the artifact we ship, not only in-process.
// Without python3 the test skips and says why.

import assert from "node:assert/strict";
import { test } from "node:test";
import { compiledBinary } from "../_helpers/binary.ts";
import { startStandIn } from "../_helpers/llm_stand_in.ts";
import { serveConfig, signal, stop, vitalsCommand, waitForLog } from "../_helpers/processes.ts";
import { missingPython } from "../_helpers/raw_peer.ts";

const skip = { skip: missingPython("the llm serve test") };
const PATHS = [
  "/health/started/simple",
  "/health/ready/simple",
  "/health/live/simple",
  "/health/simple",
] as const;

/** Polls until the codes are `expected` (10 s at most), then asserts them. */
async function until(url: string, expected: string): Promise<void> {
  let found = "";
  for (let tries = 0; tries < 100 && found !== expected; tries++) {
    found = await codes(url);
    if (found !== expected) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(found, expected);
}

/** The status codes of started, ready, live and /health, space-separated. */
async function codes(url: string): Promise<string> {
  const found: number[] = [];
  for (const path of PATHS) {
    const response = await fetch(`${url}${path}`);
    await response.body?.cancel();
    found.push(response.status);
  }
  return found.join(" ");
}

for (const build of ["source", "binary"] as const) {
  test(
    `${build}: an llm check's probes follow the server from loading to serving to a dead engine`,
    {
      ...skip,
      timeout: 120_000,
    },
    async () => {
      const command = build === "binary" ? [await compiledBinary()] : vitalsCommand();
      const standIn = await startStandIn("vllm", ["--model", "m", "--phase", "refused"]);
      const yaml = `cache: { mode: background, ttl: 200ms }
checks:
  - name: llm
    type: llm
    server: vllm
    url: ${standIn.url}
    model: m
    generate: false
    stall: false
    timeout: 2s
`;
      const vitals = await serveConfig("llm.yaml", yaml, { command });
      try {
        // started, ready, live, /health
        await until(vitals.url, "503 503 200 503");
        await standIn.control({ phase: "serving" });
        await until(vitals.url, "200 200 200 200");
        await standIn.control({ phase: "engine_dead", detected: true });
        await until(vitals.url, "200 503 503 503");
        const body = await (await fetch(`${vitals.url}/health`)).json() as {
          checks: { message: string }[];
        };
        assert.match(body.checks[0]?.message ?? "", /engine/);

        // A reload keeps what the check learnt: a server gone after it served
        // fails liveness, it does not read as loading again.
        await standIn.control({ phase: "serving" });
        await until(vitals.url, "200 200 200 200");
        signal(vitals, "SIGHUP");
        await waitForLog(vitals, /config reloaded/);
        await standIn.control({ phase: "refused" });
        await until(vitals.url, "200 503 503 503");
        const gone = await (await fetch(`${vitals.url}/health`)).json() as {
          checks: { message: string }[];
        };
        assert.doesNotMatch(gone.checks[0]?.message ?? "", /loading/);
      } finally {
        await stop(vitals);
        await standIn.stop();
      }
    },
  );
}
