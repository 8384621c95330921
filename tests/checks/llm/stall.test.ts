/**
 * The stall watchdog's rules on a manual clock: when the clock starts, what
 * stops it, failed scrapes, the verdict and its message; and the reading taken
 * from each server's metrics names.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  INITIAL_STALL_STATE,
  type StallScrape,
  stallStep,
  StallWatchdog,
} from "../../../src/checks/llm/stall.ts";
import {
  readingFrom,
  STALL_METRICS,
  stallMetricsFor,
} from "../../../src/checks/llm/stall_metrics.ts";
import { parseMetrics } from "../../../src/checks/llm/metrics_text.ts";

const MINUTE = 60_000;
const read = (waiting: number, running: number, progress: number): StallScrape => ({
  ok: true,
  waiting,
  running,
  progress,
});
const failed: StallScrape = { ok: false, reason: "timed out after 2s" };

/** A watchdog fed on a manual clock: `at(ms, scrape)` sets the time and observes. */
function manual(stallAfter = 2 * MINUTE, note?: string) {
  const watchdog = new StallWatchdog(note === undefined ? { stallAfter } : { stallAfter, note });
  return { watchdog, at: (now: number, scrape: StallScrape) => watchdog.observe(scrape, now) };
}

test("requests waiting with no progress fail as stall after stallAfter, not before", () => {
  const { at } = manual();
  assert.equal(at(0, read(3, 0, 100)).clockMs, 0);
  const early = at(2 * MINUTE - 1, read(3, 0, 100));
  assert.equal(early.failing, undefined);
  assert.equal(early.clockMs, 2 * MINUTE - 1);
  assert.deepEqual(at(2 * MINUTE, read(3, 0, 100)).failing, {
    cause: "stall",
    message: "stalled: 3 requests waiting, 0 running, no token generated for 2m",
  });
  assert.equal(
    at(3 * MINUTE + 12_000, read(1, 2, 100)).failing?.message,
    "stalled: 1 request waiting, 2 running, no token generated for 3m12s",
  );
});

test("the clock starts when requests are seen, not at the last token", () => {
  const { at } = manual();
  at(0, read(0, 0, 50)); // idle for an hour: no clock
  assert.equal(at(60 * MINUTE, read(0, 0, 50)).clockMs, undefined);
  assert.equal(at(61 * MINUTE, read(2, 0, 50)).clockMs, 0);
  assert.equal(at(62 * MINUTE, read(2, 0, 50)).failing, undefined);
  assert.equal(at(63 * MINUTE, read(2, 0, 50)).failing?.cause, "stall");
});

test("progress stops the clock and so does a counter reset", () => {
  const { at } = manual();
  at(0, read(1, 1, 10));
  at(MINUTE, read(1, 1, 10));
  assert.equal(at(MINUTE + 59_000, read(1, 1, 11)).clockMs, undefined, "the counter moved");
  at(2 * MINUTE, read(1, 1, 11));
  assert.equal(at(3 * MINUTE, read(1, 1, 11)).clockMs, MINUTE);
  assert.equal(at(3 * MINUTE + 59_000, read(1, 1, 2)).clockMs, undefined, "a restart reset it");
  assert.equal(
    at(4 * MINUTE, read(1, 1, 2)).clockMs,
    0,
    "no progress since: the clock starts again",
  );
  assert.equal(at(5 * MINUTE, read(1, 1, 2)).clockMs, MINUTE);
});

test("nothing waiting or running stops the clock", () => {
  const { at } = manual();
  at(0, read(0, 4, 7));
  assert.equal(at(MINUTE, read(0, 0, 7)).clockMs, undefined);
  assert.equal(at(5 * MINUTE, read(0, 0, 7)).failing, undefined);
});

test("a failed scrape keeps the clock running after a scrape that saw requests", () => {
  const { at } = manual();
  at(0, read(0, 1, 5));
  at(30_000, read(0, 1, 5));
  assert.equal(at(MINUTE, failed).clockMs, MINUTE);
  assert.deepEqual(at(2 * MINUTE, failed).failing, {
    cause: "stall",
    message: "stalled: 0 requests waiting, 1 running, no token generated for 2m " +
      "(metrics not read: timed out after 2s; figures from the last good scrape)",
  });
});

test("a failed scrape starts the clock when the last good scrape saw requests making progress", () => {
  // llama.cpp: its task loop blocks mid-generation and every /metrics scrape hangs from then on.
  const { at } = manual();
  at(0, read(0, 1, 5));
  at(10_000, read(0, 1, 9));
  assert.equal(at(20_000, failed).clockMs, 0);
  assert.equal(at(20_000 + 2 * MINUTE - 1, failed).failing, undefined);
  assert.equal(at(20_000 + 2 * MINUTE, failed).failing?.cause, "stall");
});

test("a failed scrape alone never starts a clock and says nothing", () => {
  const { watchdog, at } = manual();
  for (let now = 0; now <= 10 * MINUTE; now += MINUTE) {
    const step = at(now, failed);
    assert.equal(step.clockMs, undefined);
    assert.equal(step.failing, undefined);
  }
  assert.deepEqual(watchdog.state, INITIAL_STALL_STATE);
  at(11 * MINUTE, read(0, 0, 3));
  assert.equal(at(20 * MINUTE, failed).failing, undefined, "the last good scrape saw nothing");
});

test("a good scrape after failed ones judges by the counter again", () => {
  const { at } = manual();
  at(0, read(2, 0, 5));
  at(MINUTE, failed);
  assert.equal(at(MINUTE + 30_000, read(2, 0, 6)).clockMs, undefined, "moved: recovered");
  at(2 * MINUTE, read(2, 0, 6));
  at(3 * MINUTE, failed);
  assert.equal(at(4 * MINUTE, read(2, 0, 6)).failing?.cause, "stall");
});

test("the stall stays failing while it lasts and clears on the first progress", () => {
  const { at } = manual(MINUTE);
  at(0, read(1, 0, 1));
  assert.equal(at(MINUTE, read(1, 0, 1)).failing?.cause, "stall");
  assert.equal(at(10 * MINUTE, read(1, 0, 1)).failing?.cause, "stall");
  const recovered = at(10 * MINUTE + 1, read(1, 0, 2));
  assert.equal(recovered.failing, undefined);
  assert.equal(recovered.clockMs, undefined);
});

test("the note is added to the message and the step function is pure", () => {
  const options = { stallAfter: MINUTE, note: STALL_METRICS.sglang!.note! };
  const first = stallStep(INITIAL_STALL_STATE, read(0, 1, 0), 0, options);
  const frozen = JSON.stringify(first.state);
  const second = stallStep(first.state, read(0, 1, 0), MINUTE, options);
  assert.equal(JSON.stringify(first.state), frozen);
  assert.equal(
    second.failing?.message,
    "stalled: 0 requests waiting, 1 running, no token generated for 1m; " +
      "SGLang counts tokens when a request ends, so stallAfter must exceed the longest request",
  );
  assert.deepEqual(stallStep(first.state, read(0, 1, 0), MINUTE, options), second);
});

test("each server with metrics has W, R and P names; the others have none", () => {
  for (const server of ["vllm", "llamacpp", "tgi", "sglang", "triton"] as const) {
    const names = stallMetricsFor(server);
    assert.ok(names && names.waiting.length > 0 && names.progress.length > 0, server);
  }
  for (const server of ["tabbyapi", "ollama", "openai"] as const) {
    assert.equal(stallMetricsFor(server), undefined, server);
  }
  assert.deepEqual(STALL_METRICS.triton!.where, { port: 8002 });
});

test("a reading filters on the model label and falls back to the next progress name", () => {
  const triton = parseMetrics([
    'nv_inference_pending_request_count{model="m1",version="1"} 2',
    'nv_inference_pending_request_count{model="m2",version="1"} 7',
    'nv_trt_llm_request_metrics{model="m1",request_type="active",version="1"} 1',
    'nv_trt_llm_request_metrics{model="m1",request_type="max",version="1"} 512',
    'nv_trt_llm_general_metrics{general_type="iteration_counter",model="m1",version="1"} 40',
    'nv_trt_llm_general_metrics{general_type="timestamp",model="m1",version="1"} 1700000000',
  ].join("\n"));
  assert.deepEqual(readingFrom(triton, STALL_METRICS.triton!, (name) => name === "m1"), {
    ok: true,
    waiting: 2,
    running: 1,
    progress: 40,
  });
  const vllmBackend = parseMetrics(
    'nv_inference_pending_request_count{model="m1",version="1"} 1\n' +
      'vllm:generation_tokens_total{model="m1",version="1"} 9\n',
  );
  assert.deepEqual(readingFrom(vllmBackend, STALL_METRICS.triton!), {
    ok: true,
    waiting: 1,
    running: 0,
    progress: 9,
  });
  assert.deepEqual(readingFrom(parseMetrics("other 1\n"), STALL_METRICS.vllm!), {
    ok: false,
    reason: 'metrics page has no "vllm:num_requests_waiting" or "vllm:generation_tokens_total"',
  });
});
