// The stall watchdog (src/checks/llm/stall.ts, stall_metrics.ts,
// metrics_text.ts) on the real /metrics pages of the out-of-process stand-ins
// (tests/fixtures/llm/*.py, Python): for each server with metrics, a serving
// server under client traffic never fails, however long the manual clock runs;
// a wedged one, whose health routes all still answer 200, fails as `stall`
// once stallAfter has passed on the manual clock. llama.cpp's blocked task loop
// (its /metrics hangs) keeps the clock running. Without python3 the tests skip
// and say why.

import assert from "node:assert/strict";
import { test } from "node:test";
import { readMetrics } from "../../../src/checks/llm/metrics_text.ts";
import type { LlmServer } from "../../../src/checks/llm/presets/presets.ts";
import { type StallScrape, StallWatchdog } from "../../../src/checks/llm/stall.ts";
import { readingFrom, stallMetricsFor } from "../../../src/checks/llm/stall_metrics.ts";
import { type StandIn, startStandIn } from "../../_helpers/llm_stand_in.ts";
import { missingPython } from "../../_helpers/raw_peer.ts";

const skip = { skip: missingPython("the llm stall watchdog tests") };
const MODEL = "test-model";
const STALL_AFTER = 120_000;

/** A stand-in with every port it printed (Triton's metrics port too), stopped by its PID. */
type Peer = StandIn;

const start = (kind: string, args: string[]) => startStandIn(kind, ["--model", MODEL, ...args]);

/** One scrape of the stand-in's /metrics as the watchdog reads it (2 s scrape timeout). */
async function scrape(server: LlmServer, peer: Peer): Promise<StallScrape> {
  const metrics = stallMetricsFor(server)!;
  const port = "port" in metrics.where ? peer.ports.metrics_port : peer.ports.port;
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(2_000),
    });
    if (response.status !== 200) return { ok: false, reason: `HTTP ${response.status}` };
    const page = await readMetrics(response);
    return readingFrom(page.samples, metrics, (name) => name === MODEL);
  } catch (error) {
    return {
      ok: false,
      reason: (error as Error).name === "TimeoutError" ? "timed out" : String(error),
    };
  }
}

async function status(port: number, path: string): Promise<number | string> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(5_000),
    });
    await response.body?.cancel();
    return response.status;
  } catch (error) {
    return String(error);
  }
}

interface Case {
  readonly server: LlmServer;
  readonly label: string;
  readonly args: string[];
  /** Routes a health probe would ask: all answer 200 while wedged. */
  readonly health: string[];
  /** llama.cpp: the task loop blocks after one good wedged scrape, so /metrics hangs. */
  readonly blockLoop?: boolean;
  /** No running gauge (Triton's vLLM backend): client traffic shows as nothing present. */
  readonly noRunning?: boolean;
}

const TRITON_HEALTH = ["/v2/health/live", `/v2/models/${MODEL}/ready`];
const CASES: readonly Case[] = [
  { server: "vllm", label: "vllm", args: [], health: ["/health", "/v1/models"] },
  {
    server: "llamacpp",
    label: "llamacpp",
    args: ["--metrics"],
    health: ["/health", "/v1/models"],
    blockLoop: true,
  },
  // TGI's /health runs a prefill, so it waits behind the wedge: a timeout, which
  // the cheap look takes as "busy" (no verdict); /info still answers.
  { server: "tgi", label: "tgi", args: [], health: ["/info"] },
  { server: "sglang", label: "sglang", args: ["--enable-metrics"], health: ["/get_model_info"] },
  {
    server: "triton",
    label: "triton (vLLM backend)",
    args: ["--metrics-port", "0"],
    health: TRITON_HEALTH,
    noRunning: true,
  },
  {
    server: "triton",
    label: "triton (TRT-LLM backend)",
    args: ["--metrics-port", "0", "--backend", "trtllm"],
    health: TRITON_HEALTH,
  },
];

/** Scrapes until the progress counter differs from `from` (at most 10 s), or a scrape fails. */
async function moved(c: Case, peer: Peer, from: StallScrape): Promise<StallScrape> {
  let seen = await scrape(c.server, peer);
  for (
    let tries = 0;
    tries < 50 && seen.ok && from.ok && seen.progress === from.progress;
    tries++
  ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    seen = await scrape(c.server, peer);
  }
  return seen;
}

async function watch(c: Case, peer: Peer): Promise<void> {
  const watchdog = new StallWatchdog({ stallAfter: STALL_AFTER });
  const idle = await scrape(c.server, peer);
  assert.ok(idle.ok && idle.waiting + idle.running === 0, `idle: ${JSON.stringify(idle)}`);
  assert.equal(watchdog.observe(idle, 0).clockMs, undefined, "idle: no clock");

  // Serving with client traffic: the counter moves between scrapes, so no verdict however late.
  await peer.control({ traffic: true });
  const busy = await scrape(c.server, peer);
  const present = busy.ok && busy.waiting + busy.running > 0;
  assert.ok(busy.ok && (c.noRunning || present), `busy: ${JSON.stringify(busy)}`);
  watchdog.observe(busy, 1_000);
  const later = await moved(c, peer, busy);
  const moving = watchdog.observe(later, 1_000 + 10 * STALL_AFTER);
  assert.equal(moving.failing, undefined, `under traffic: ${JSON.stringify(later)}`);
  assert.equal(moving.clockMs, undefined);
  await peer.control({ traffic: false, waiting: 0, running: 0 });
  const quiet = await scrape(c.server, peer);
  assert.equal(watchdog.observe(quiet, 20 * STALL_AFTER).clockMs, undefined);

  // Wedged: requests wait, the counter stops, and every health route still says 200.
  const t0 = 30 * STALL_AFTER;
  await peer.control(c.blockLoop ? { phase: "wedged", loop_blocked: false } : { phase: "wedged" });
  for (const path of c.health) {
    assert.equal(await status(peer.ports.port!, path), 200, `${path} while wedged`);
  }
  const first = await scrape(c.server, peer);
  assert.ok(first.ok && first.waiting >= 1, `wedged: ${JSON.stringify(first)}`);
  assert.equal(
    watchdog.observe(first, t0).clockMs,
    0,
    "the clock starts at the first wedged scrape",
  );
  if (c.blockLoop) await peer.control({ loop_blocked: true });
  const mid = await scrape(c.server, peer);
  assert.equal(mid.ok, !c.blockLoop, `mid-wedge scrape: ${JSON.stringify(mid)}`);
  assert.equal(watchdog.observe(mid, t0 + STALL_AFTER - 1).failing, undefined);
  const last = await scrape(c.server, peer);
  const verdict = watchdog.observe(last, t0 + STALL_AFTER).failing;
  assert.equal(verdict?.cause, "stall", JSON.stringify(last));
  assert.match(
    verdict.message,
    /^stalled: 1 request waiting, 0 running, no token generated for 2m/,
  );
  if (c.blockLoop) assert.match(verdict.message, /metrics not read: timed out/);

  // Back to serving with traffic: the first progress clears the verdict.
  await peer.control({ phase: "serving", traffic: true });
  const after = await moved(c, peer, first);
  assert.equal(
    watchdog.observe(after, t0 + 2 * STALL_AFTER).failing,
    undefined,
    JSON.stringify(after),
  );
}

for (const c of CASES) {
  const name = `${c.label}: the watchdog lets traffic pass and catches a wedge health routes miss`;
  test(name, skip, async () => {
    const peer = await start(c.server, c.args);
    try {
      await watch(c, peer);
    } finally {
      await peer.stop();
    }
  });
}
