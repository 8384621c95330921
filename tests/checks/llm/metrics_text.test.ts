/**
 * The metrics text reader: samples of text format 0.0.4 and OpenMetrics, name
 * variants, label filters, histogram parts, the size cap, and garbage.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  inFamily,
  parseMetrics,
  readMetrics,
  sumFamily,
} from "../../../src/checks/llm/metrics_text.ts";

const VLLM = [
  "# HELP vllm:num_requests_waiting Number of requests waiting to be processed.",
  "# TYPE vllm:num_requests_waiting gauge",
  'vllm:num_requests_waiting{engine="0",model_name="m1"} 2.0',
  'vllm:num_requests_waiting{engine="1",model_name="m1"} 1.0',
  'vllm:num_requests_waiting{engine="0",model_name="m2"} 5.0',
  "# TYPE vllm:generation_tokens_total counter",
  'vllm:generation_tokens_total{engine="0",model_name="m1"} 10.0',
  'vllm:generation_tokens_created{engine="0",model_name="m1"} 1.7e+09',
  "# TYPE vllm:time_to_first_token_seconds histogram",
  'vllm:time_to_first_token_seconds_bucket{le="0.1",model_name="m1"} 1.0',
  'vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="m1"} 3.0',
  'vllm:time_to_first_token_seconds_count{model_name="m1"} 3.0',
  'vllm:time_to_first_token_seconds_sum{model_name="m1"} 0.75',
  "",
].join("\n");

test("sums every series of a family and filters on the model label", () => {
  const samples = parseMetrics(VLLM);
  assert.equal(sumFamily(samples, { name: "vllm:num_requests_waiting" }), 8);
  assert.equal(
    sumFamily(samples, { name: "vllm:num_requests_waiting", labels: { model_name: "m1" } }),
    3,
  );
  const pattern = (value: string) => /^m/.test(value);
  assert.equal(
    sumFamily(samples, { name: "vllm:num_requests_waiting", labels: { model_name: pattern } }),
    8,
  );
  assert.equal(
    sumFamily(samples, { name: "vllm:num_requests_waiting", labels: { model_name: "zz" } }),
    undefined,
  );
  assert.equal(
    sumFamily(samples, { name: "vllm:num_requests_waiting", labels: { model: "m1" } }),
    undefined,
    "a sample without the label does not match",
  );
});

test("matches a family with colons as underscores and with or without _total", () => {
  const samples = parseMetrics("vllm_generation_tokens_total 4\ntgi_batch_inference_count 6\n");
  assert.equal(sumFamily(samples, { name: "vllm:generation_tokens_total" }), 4);
  assert.equal(sumFamily(samples, { name: "vllm:generation_tokens" }), 4);
  assert.equal(sumFamily(samples, { name: "tgi_batch_inference_count_total" }), 6);
  assert.equal(inFamily("vllm:generation_tokens_total", { name: "vllm_generation_tokens" }), true);
  assert.equal(
    inFamily("vllm:generation_tokens_totals", { name: "vllm:generation_tokens" }),
    false,
  );
});

test("ignores _created, _bucket, _sum and _count samples unless the part is asked for", () => {
  const samples = parseMetrics(VLLM);
  assert.equal(sumFamily(samples, { name: "vllm:generation_tokens_total" }), 10);
  assert.equal(sumFamily(samples, { name: "vllm:time_to_first_token_seconds" }), undefined);
  const ttft = { name: "vllm:time_to_first_token_seconds", labels: { model_name: "m1" } };
  assert.equal(sumFamily(samples, { ...ttft, part: "_count" }), 3);
  assert.equal(sumFamily(samples, { ...ttft, part: "_sum" }), 0.75);
  assert.equal(sumFamily(samples, { ...ttft, part: "_bucket", labels: { le: "+Inf" } }), 3);
  assert.equal(sumFamily(samples, { name: "vllm:generation_tokens", part: "_created" }), 1.7e9);
});

test("does not trust # TYPE: a counter declared as a gauge is still read", () => {
  const text = "# TYPE sglang:generation_tokens_total gauge\nsglang:generation_tokens_total 12\n" +
    "# TYPE llamacpp:n_busy_slots_per_decode counter\nllamacpp:n_busy_slots_per_decode 1\n";
  const samples = parseMetrics(text);
  assert.equal(sumFamily(samples, { name: "sglang:generation_tokens_total" }), 12);
  assert.equal(sumFamily(samples, { name: "llamacpp:n_busy_slots_per_decode" }), 1);
});

test("reads OpenMetrics: timestamps, exemplars, # EOF, escapes and quoted names", () => {
  const text = [
    "# TYPE a counter",
    'a_total{path="/x",note="say \\"hi\\"\\nthere, {ok}"} 3 1700000000.5 # {trace_id="q}"} 1 1700000000',
    'a_created{path="/x"} 1.7e9',
    '{"dotted.name",kind="x"} 2',
    "b +Inf",
    "c NaN",
    "d -1.5e-3",
    "# EOF",
  ].join("\n");
  const samples = parseMetrics(text);
  assert.deepEqual(samples[0], {
    name: "a_total",
    labels: { path: "/x", note: 'say "hi"\nthere, {ok}' },
    value: 3,
  });
  assert.equal(sumFamily(samples, { name: "a" }), 3);
  assert.equal(sumFamily(samples, { name: "dotted.name" }), 2);
  assert.equal(sumFamily(samples, { name: "b" }), Infinity);
  assert.equal(sumFamily(samples, { name: "c" }), undefined, "NaN is left out");
  assert.equal(sumFamily(samples, { name: "d" }), -0.0015);
});

test("never throws on garbage and keeps the lines it could read", () => {
  const garbage = [
    "\u0000\u00ff binary",
    'x{unclosed="1" 2',
    "y{a=unquoted} 3",
    "z 12abc",
    "novalue",
    "{} 4",
    'w{a="1"}5',
    "good_one 7",
    '  good_two{a="b",} 8  ',
  ].join("\r\n");
  const samples = parseMetrics(garbage);
  assert.deepEqual(samples.map((s) => s.name), ["good_one", "good_two"]);
  assert.deepEqual(parseMetrics(undefined as unknown as string), []);
  assert.deepEqual(parseMetrics(""), []);
  // Pseudo-random text from the characters the format uses: parsing returns, whatever it reads.
  let seed = 7;
  const alphabet = 'ab_:{}=",\\ \n#.0123456789+-eE\tInfNa';
  for (let round = 0; round < 300; round++) {
    let text = "";
    for (let i = 0; i < 80; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      text += alphabet[seed % alphabet.length];
    }
    assert.ok(Array.isArray(parseMetrics(text)));
  }
});

test("reads no further than the size cap and drops the line cut there", () => {
  const text = "a 1\nb 2\nccccccc 3\n";
  assert.deepEqual(parseMetrics(text, 10).map((s) => s.name), ["a", "b"]);
  assert.deepEqual(parseMetrics(text, 2), []);
});

test("reads a response body up to the cap and says when it was cut", async () => {
  const whole = await readMetrics(new Response("a 1\nb 2\n"));
  assert.deepEqual(whole, {
    samples: [{ name: "a", labels: {}, value: 1 }, { name: "b", labels: {}, value: 2 }],
    truncated: false,
  });
  const cut = await readMetrics(new Response("a 1\nb 22222\nc 3\n"), 9);
  assert.equal(cut.truncated, true);
  assert.deepEqual(cut.samples.map((s) => s.name), ["a"]);
});
