// Observability: /metrics parsed by a real Prometheus parser, the body shapes
// chosen by content negotiation (with unchanged status codes), JSON log lines
// once per state change, and the committed JSON Schema.

import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { test } from "node:test";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { type App, createApp } from "../src/app/create_app.ts";
import { parseConfig } from "../src/config/load.ts";
import { configJsonSchema } from "../src/config/schema.ts";
import { negotiate } from "../src/http/bodies.ts";
import { createLogger, formatLine } from "../src/log.ts";
import { escapeLabel } from "../src/http/metrics.ts";
import { VERSION } from "../src/version.ts";
import { platform } from "./helpers.ts";
import { ROOT, tempFile } from "./process_helpers.ts";

interface Family {
  name: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

/** An app with a flippable critical check `gate` (UP while FLAG exists) and a non-critical `extra`. */
async function flippable(options: { extraUp?: boolean; server?: string } = {}) {
  const { dir } = await tempFile("placeholder", "");
  const flag = `${dir}/flag`;
  const yaml = `${options.server ?? ""}cache:
  ttl: 0
checks:
  - name: gate
    type: command
    command: ["sh", "-c", "test -e ${flag} || { echo 'gate \\"closed\\"'; exit 3; }"]
  - name: extra
    type: command
    command: ["${options.extraUp === false ? "false" : "true"}"]
    critical: false
`;
  const lines: string[] = [];
  const log = createLogger({ format: "json", level: "info", write: (line) => lines.push(line) });
  const app = createApp(parseConfig(yaml, "observe.yaml", {}), { platform, log });
  return {
    app,
    lines,
    open: () => writeFile(flag, ""),
    close: () => rm(flag, { force: true }),
  };
}

const get = (app: App, path: string, headers: Record<string, string> = {}) =>
  app.handler(new Request(`http://vitals.test${path}`, { headers }));

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

test("server.metrics: false turns /metrics off", async () => {
  const { app } = await flippable({ server: "server:\n  metrics: false\n" });
  assert.equal((await get(app, "/metrics")).status, 404);
  app.health.close();
});

// ---------------------------------------------------------------------------
// Body shapes

/** Every shape of /health for one state, with its status code. */
async function shapes(app: App) {
  const json = await get(app, "/health");
  const ietf = await get(app, "/health", { accept: "application/health+json" });
  const micro = await get(app, "/health?format=microprofile");
  const text = await get(app, "/health", { accept: "text/plain" });
  const textQuery = await get(app, "/health?format=text");
  return {
    codes: [json, ietf, micro, text, textQuery].map((r) => r.status),
    types: [json, ietf, micro, text].map((r) => r.headers.get("content-type")),
    json: await json.json(),
    ietf: await ietf.json(),
    micro: await micro.json(),
    text: await text.text(),
    textQuery: await textQuery.text(),
  };
}

test("every body shape keeps the status code: UP is 200 in each", async () => {
  const { app, open } = await flippable();
  await open();
  const s = await shapes(app);
  assert.deepEqual(s.codes, [200, 200, 200, 200, 200]);
  assert.deepEqual(s.types, [
    "application/json",
    "application/health+json",
    "application/json",
    "text/plain; charset=utf-8",
  ]);
  assert.equal(s.json.status, "UP");
  assert.equal(s.ietf.status, "pass");
  assert.equal(s.ietf.releaseId, VERSION);
  const gate = s.ietf.checks["gate:responseTime"][0];
  assert.equal(gate.status, "pass");
  assert.equal(gate.observedUnit, "ms");
  assert.equal(typeof gate.observedValue, "number");
  assert.equal(gate.componentType, "system");
  assert.ok(!("output" in gate), "a passing check has no output");
  assert.equal(s.micro.status, "UP");
  assert.deepEqual(s.micro.checks.map((c: { name: string }) => c.name), ["gate", "extra"]);
  assert.equal(s.micro.checks[0].data.type, "command");
  assert.match(s.text, /^STATUS\s+CHECK\s+TYPE/);
  assert.match(s.text, /status: UP \(2 checks at /);
  app.health.close();
});

test("a non-critical DOWN check keeps 200 and makes the IETF status warn", async () => {
  const { app, open } = await flippable({ extraUp: false });
  await open();
  const s = await shapes(app);
  assert.deepEqual(s.codes, [200, 200, 200, 200, 200]);
  assert.equal(s.json.status, "UP");
  assert.deepEqual(s.json.details, ["extra: exit code 1"]);
  assert.equal(s.ietf.status, "warn");
  assert.equal(s.ietf.checks["extra:responseTime"][0].status, "warn");
  assert.equal(s.ietf.checks["extra:responseTime"][0].output, "exit code 1");
  assert.equal(s.micro.status, "UP");
  assert.equal(s.micro.checks[1].status, "DOWN");
  assert.match(s.text, /DOWN\s+extra\s+command\s+no/);
  app.health.close();
});

test("a critical DOWN check is 503 in every shape and fail in the IETF shape", async () => {
  const { app } = await flippable();
  const s = await shapes(app);
  assert.deepEqual(s.codes, [503, 503, 503, 503, 503]);
  assert.equal(s.json.status, "DOWN");
  assert.equal(s.ietf.status, "fail");
  assert.equal(s.ietf.checks["gate:responseTime"][0].status, "fail");
  assert.match(s.ietf.checks["gate:responseTime"][0].output, /exit code 3.*gate "closed"/);
  assert.deepEqual(s.ietf.notes, [s.json.details[0]]);
  assert.equal(s.micro.status, "DOWN");
  assert.match(s.text, /status: DOWN/);
  assert.match(s.textQuery, /status: DOWN/);
  app.health.close();
});

test("group endpoints negotiate shapes too, and simple bodies stay one-field JSON", async () => {
  const { app, open } = await flippable();
  await open();
  const ready = await get(app, "/health/ready", { accept: "application/health+json" });
  assert.equal(ready.status, 200);
  assert.equal(ready.headers.get("content-type"), "application/health+json");
  assert.equal((await ready.json()).status, "pass");
  const simple = await get(app, "/health/ready/simple", { accept: "text/plain" });
  assert.deepEqual(await simple.json(), { status: "UP" });
  app.health.close();
});

test("an unknown ?format= answers 400 naming the formats", async () => {
  const { app } = await flippable();
  const response = await get(app, "/health?format=xml");
  assert.equal(response.status, 400);
  assert.match((await response.json()).error, /json, health\+json, microprofile or text/);
  assert.equal(app.health.evaluations, 0, "a rejected request runs no check");
  app.health.close();
});

test("Accept negotiation follows q-values and falls back to JSON", () => {
  assert.equal(negotiate(null, ""), "json");
  assert.equal(negotiate("*/*", ""), "json");
  assert.equal(negotiate("text/html,application/xhtml+xml,*/*;q=0.8", ""), "json");
  assert.equal(negotiate("text/plain", ""), "text");
  assert.equal(negotiate("application/json;q=0.5, text/plain;q=0.9", ""), "text");
  assert.equal(negotiate("application/health+json", ""), "health+json");
  assert.equal(negotiate("text/plain", "format=json"), "json", "?format= wins over Accept");
  assert.equal(negotiate(null, "format=health+json"), "health+json");
  assert.equal(negotiate(null, "a=1&format=microprofile"), "microprofile");
  assert.equal(negotiate(null, "format=yaml"), undefined);
});

// ---------------------------------------------------------------------------
// Logs

test("JSON log lines parse and appear once per state change, not once per probe", async () => {
  const { app, lines, open, close } = await flippable();
  for (let i = 0; i < 3; i++) await get(app, "/health");
  await open();
  for (let i = 0; i < 3; i++) await get(app, "/health/ready");
  await close();
  for (let i = 0; i < 3; i++) await get(app, "/health");
  const entries = lines.map((line) => JSON.parse(line));
  for (const entry of entries) {
    assert.equal(typeof entry.time, "string");
    assert.ok(["info", "warn", "error"].includes(entry.level), entry.level);
    assert.equal(typeof entry.msg, "string");
  }
  const gate = entries.filter((e) => e.check === "gate").map((e) => `${e.level} ${e.msg}`);
  assert.equal(gate.length, 3, `one line per gate change: ${gate.join(" | ")}`);
  assert.match(gate[0]!, /^warn check gate DOWN: exit code 3/);
  assert.match(gate[1]!, /^info check gate UP again/);
  assert.match(gate[2]!, /^warn check gate DOWN/);
  const status = entries.filter((e) => e.status !== undefined).map((e) => e.msg);
  assert.equal(status.length, 3, `first status and two changes: ${status.join(" | ")}`);
  assert.match(status[1]!, /^DOWN -> UP/);
  app.health.close();
});

test("debug level adds one line per evaluation; quiet keeps only errors", async () => {
  const debug: string[] = [];
  const quiet: string[] = [];
  const yaml = 'cache:\n  ttl: 0\nchecks:\n  - {name: a, type: command, command: ["false"]}\n';
  const config = parseConfig(yaml, "log.yaml", {});
  for (const [lines, level] of [[debug, "debug"], [quiet, "quiet"]] as const) {
    const log = createLogger({ format: "json", level, write: (line) => lines.push(line) });
    const app = createApp(config, { platform, log });
    for (let i = 0; i < 3; i++) await get(app, "/health");
    log.error("boom");
    app.health.close();
  }
  assert.equal(debug.filter((line) => JSON.parse(line).msg === "evaluated").length, 3);
  assert.deepEqual(quiet.map((line) => JSON.parse(line).msg), ["boom"]);
});

test("text log lines carry fields as key=value, quoting values with spaces", () => {
  const time = new Date("2026-11-21T11:24:41.342Z");
  assert.equal(
    formatLine("text", time, "warn", "check db DOWN", { check: "db", note: "two words" }),
    '2026-11-21T11:24:41.342Z WARN check db DOWN check=db note="two words"',
  );
  assert.deepEqual(JSON.parse(formatLine("json", time, "info", "hi", { n: 1, skip: undefined })), {
    time: "2026-11-21T11:24:41.342Z",
    level: "info",
    msg: "hi",
    n: 1,
  });
});

// ---------------------------------------------------------------------------
// Editor support

test("the committed vitals.schema.json equals the schema vitals generates", async () => {
  const committed = JSON.parse(await readFile(`${ROOT}/vitals.schema.json`, "utf8"));
  assert.deepEqual(committed, configJsonSchema(), "run: vitals schema > vitals.schema.json");
});

test("config.example.yaml points editors at the committed schema", async () => {
  const example = await readFile(`${ROOT}/config.example.yaml`, "utf8");
  assert.equal(example.split("\n")[0], "# yaml-language-server: $schema=./vitals.schema.json");
});
