// /metrics (src/http/metrics.ts) from a real app, parsed by a real Prometheus
// parser: every series after UP and DOWN, scraping never runs a check, unknown
// paths cannot grow the label set, label escaping, vitals' start time (what
// the never-UP alert in deploy/prometheus/ measures from), and
// server.metrics: false.

import assert from "node:assert/strict";
import { test } from "node:test";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { type App, createApp } from "../../src/app/create_app.ts";
import { parseConfig } from "../../src/config/load.ts";
import { escapeLabel } from "../../src/http/metrics.ts";
import { silentLogger } from "../../src/log.ts";
import { VERSION } from "../../src/version.ts";
import { flippable } from "../_helpers/apps.ts";
import { ManualClock, STAMP } from "../_helpers/clock.ts";
import { get } from "../_helpers/http.ts";
import { platform } from "../_helpers/platform.ts";

interface Family {
  name: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

async function scrape(app: App): Promise<Map<string, Family>> {
  const response = await get(app, "/metrics");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const families = parsePrometheusTextFormat(await response.text()) as Family[];
  return new Map(families.map((family) => [family.name, family]));
}

function sample(families: Map<string, Family>, name: string, labels: Record<string, string> = {}) {
  const family = families.get(name);
  assert.ok(family, `family ${name} is present`);
  const found = family.metrics.find((metric) =>
    Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value)
  );
  assert.ok(found, `${name} has a sample with ${JSON.stringify(labels)}`);
  return Number(found.value);
}

test("/metrics parses with a Prometheus parser and reports every series after UP and DOWN", async () => {
  const { app, open, close } = await flippable();
  await open();
  await get(app, "/health");
  let families = await scrape(app);
  assert.equal(families.get("vitals_up")?.type, "GAUGE");
  assert.equal(families.get("vitals_evaluations_total")?.type, "COUNTER");
  assert.equal(sample(families, "vitals_up"), 1);
  assert.equal(
    sample(families, "vitals_check_up", { check: "gate", type: "command", critical: "true" }),
    1,
  );
  assert.equal(sample(families, "vitals_check_up", { check: "extra", critical: "false" }), 1);
  const duration = sample(families, "vitals_check_duration_seconds", { check: "gate" });
  assert.ok(duration > 0 && duration < 5, `duration ${duration}`);
  const success = sample(families, "vitals_check_last_success_timestamp_seconds", {
    check: "gate",
  });
  assert.ok(Math.abs(success - Date.now() / 1000) < 60, "last success is about now");
  assert.equal(sample(families, "vitals_check_consecutive_failures", { check: "gate" }), 0);
  assert.equal(sample(families, "vitals_evaluations_total"), 1);
  assert.equal(sample(families, "vitals_check_runs_total", { check: "gate", result: "up" }), 1);
  assert.equal(sample(families, "vitals_check_runs_total", { check: "gate", result: "down" }), 0);
  assert.equal(sample(families, "vitals_http_requests_total", { path: "/health", code: "200" }), 1);
  assert.equal(
    sample(families, "vitals_info", { version: VERSION, runtime: platform.runtime }),
    1,
  );

  await close();
  await get(app, "/health");
  await get(app, "/health");
  families = await scrape(app);
  assert.equal(sample(families, "vitals_up"), 0);
  assert.equal(sample(families, "vitals_check_up", { check: "gate" }), 0);
  assert.equal(sample(families, "vitals_check_consecutive_failures", { check: "gate" }), 2);
  assert.equal(sample(families, "vitals_check_runs_total", { check: "gate", result: "down" }), 2);
  assert.equal(
    sample(families, "vitals_check_last_success_timestamp_seconds", { check: "gate" }),
    success,
    "a DOWN run keeps the last success time",
  );
  assert.equal(sample(families, "vitals_evaluations_total"), 3);
  assert.equal(sample(families, "vitals_http_requests_total", { path: "/health", code: "503" }), 2);
  assert.equal(
    sample(families, "vitals_http_requests_total", { path: "/metrics", code: "200" }),
    1,
  );
  app.health.close();
});

test("scraping /metrics never runs a check", async () => {
  const { app } = await flippable();
  for (let i = 0; i < 5; i++) await (await get(app, "/metrics")).text();
  assert.equal(app.health.evaluations, 0);
  const families = await scrape(app);
  assert.equal(sample(families, "vitals_up"), 0, "no result yet counts as not up");
  assert.equal(families.get("vitals_check_up")?.metrics.length, 0);
  app.health.close();
});

test("random paths are counted as other, so they cannot grow the label set", async () => {
  const { app } = await flippable();
  for (const path of ["/a", "/b/c", "/health/x"]) assert.equal((await get(app, path)).status, 404);
  const families = await scrape(app);
  assert.equal(sample(families, "vitals_http_requests_total", { path: "other", code: "404" }), 3);
  app.health.close();
});

test("label values escape backslash, double quote and newline as the format requires", () => {
  assert.equal(escapeLabel('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  const text = `# TYPE t gauge\nt{v="${escapeLabel('x"y\\z\nw')}"} 1\n`;
  const [family] = parsePrometheusTextFormat(text) as Family[];
  assert.equal(family?.metrics[0]?.labels?.["v"], 'x"y\\z\nw');
});

test("vitals_start_time_seconds is when the app was built and stays put while checks run", async () => {
  const before = Date.now() / 1000;
  const { app, open } = await flippable();
  const after = Date.now() / 1000;
  let families = await scrape(app);
  assert.equal(families.get("vitals_start_time_seconds")?.type, "GAUGE");
  const started = sample(families, "vitals_start_time_seconds");
  assert.ok(started >= before && started <= after, `${started} within [${before}, ${after}]`);
  assert.equal(
    families.get("vitals_check_last_success_timestamp_seconds")?.metrics.length,
    0,
    "the start time is there before any check has run",
  );

  await open();
  await get(app, "/health");
  families = await scrape(app);
  assert.equal(sample(families, "vitals_start_time_seconds"), started, "an evaluation keeps it");
  const success = sample(families, "vitals_check_last_success_timestamp_seconds", {
    check: "gate",
  });
  assert.ok(success >= started, `the first success (${success}) is after the start (${started})`);
  app.health.close();
});

test("vitals_start_time_seconds reads the clock that stamps check results", async () => {
  const clock = new ManualClock();
  const config = parseConfig(
    'cache: {ttl: 0}\nchecks:\n  - {name: ok, type: command, command: ["true"]}\n',
    "clock.yaml",
    {},
  );
  const app = createApp(config, { platform, log: silentLogger, clock });
  clock.advance(600_000);
  await get(app, "/health");
  const families = await scrape(app);
  assert.equal(sample(families, "vitals_start_time_seconds"), Date.parse(STAMP) / 1000);
  assert.equal(
    sample(families, "vitals_check_last_success_timestamp_seconds", { check: "ok" }),
    Date.parse(STAMP) / 1000 + 600,
    "ten minutes after the start on the same clock",
  );
  app.health.close();
});

test("server.metrics: false turns /metrics off", async () => {
  const { app } = await flippable({ server: "server:\n  metrics: false\n" });
  assert.equal((await get(app, "/metrics")).status, 404);
  app.health.close();
});
