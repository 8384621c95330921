// Nagios plugin semantics (src/checks/_command_nagios.ts, used by
// src/checks/command.ts with `nagios: true`): the perfdata parser on its own
// (quoted labels, units, thresholds ignored, `U`, malformed entries, the
// 32-label bound), the exit code mapping through the real command check, and
// the perfdata on /metrics, read by a Prometheus parser. Debian's real plugins
// are driven by tests/scenarios/external/nagios_plugins.test.ts, and
// `promtool check metrics` reads the scrape in
// tests/scenarios/external/promtool.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { createApp } from "../../src/app/create_app.ts";
import {
  LABEL_LIMIT,
  NAGIOS_OUTPUT_LIMIT,
  nagiosOutcome,
  parsePerfdata,
  parsePluginOutput,
  PERFDATA_LIMIT,
} from "../../src/checks/_command_nagios.ts";
import { parseConfig } from "../../src/config/load.ts";
import { silentLogger } from "../../src/log.ts";
import type { RunResult } from "../../src/types.ts";
import { runCheck } from "../_helpers/checks.ts";
import { get } from "../_helpers/http.ts";
import { platform } from "../_helpers/platform.ts";

// ---------------------------------------------------------------------------
// The perfdata parser

test("perfdata: labels may be quoted, with spaces and '' for a quote", () => {
  const { perfdata, skipped } = parsePerfdata("'free space'=5 'it''s'=6 plain=7 ''''=8");
  assert.deepEqual(perfdata, [
    { label: "free space", value: 5, unit: "" },
    { label: "it's", value: 6, unit: "" },
    { label: "plain", value: 7, unit: "" },
    { label: "'", value: 8, unit: "" },
  ]);
  assert.equal(skipped, 0);
});

test("perfdata: values with a UOM are read in base units, and the unit is named", () => {
  const { perfdata } = parsePerfdata(
    "n=1.5 t=2s tm=5ms tu=250us p=93.5% b=10B kb=2KB mb=1.5MB gb=2GB tb=1TB c=42c neg=-3 e=1.5e3",
  );
  assert.deepEqual(perfdata, [
    { label: "n", value: 1.5, unit: "" },
    { label: "t", value: 2, unit: "seconds" },
    { label: "tm", value: 0.005, unit: "seconds" },
    { label: "tu", value: 0.00025, unit: "seconds" },
    { label: "p", value: 93.5, unit: "percent" },
    { label: "b", value: 10, unit: "bytes" },
    { label: "kb", value: 2048, unit: "bytes" },
    { label: "mb", value: 1.5 * 1024 ** 2, unit: "bytes" },
    { label: "gb", value: 2 * 1024 ** 3, unit: "bytes" },
    { label: "tb", value: 1024 ** 4, unit: "bytes" },
    { label: "c", value: 42, unit: "counter" },
    { label: "neg", value: -3, unit: "" },
    { label: "e", value: 1500, unit: "" },
  ]);
});

test("perfdata: warn, crit, min and max are ignored; only the value is kept", () => {
  const { perfdata } = parsePerfdata("/=2643MB;5948;5958;0;5968 load1=0.5;1:2;@3:4;; time=1s;;;");
  assert.deepEqual(perfdata, [
    { label: "/", value: 2643 * 1024 ** 2, unit: "bytes" },
    { label: "load1", value: 0.5, unit: "" },
    { label: "time", value: 1, unit: "seconds" },
  ]);
});

test("perfdata: U (unknown) values are skipped", () => {
  const { perfdata, skipped } = parsePerfdata("a=U b=U;1;2;0;10 c=3");
  assert.deepEqual(perfdata, [{ label: "c", value: 3, unit: "" }]);
  assert.equal(skipped, 2);
});

test("perfdata: malformed entries are skipped, the valid ones around them kept", () => {
  const text = [
    "ok1=1",
    "=5", // no label
    "novalue", // no =
    "empty=", // no value
    "word=abc", // not a number
    "unit=5XB", // an unknown UOM
    "lower=5mb", // UOMs are case-sensitive
    "proto=5constructor", // not a UOM, whatever an object inherits
    "comma=1,5", // a decimal comma
    "huge=1e999", // not finite
    "hugetb=1e300TB", // not finite in bytes
    "two=1=2", // not a number
    "'spaced label'x=4", // text between the quote and =
    "ok2=2",
    "ok1=9", // a repeated label: the first one counts
    "'unclosed=3 ok3=3", // an open quote: the rest is not perfdata
  ].join(" ");
  const { perfdata, skipped, ignored } = parsePerfdata(text);
  assert.deepEqual(perfdata, [
    { label: "ok1", value: 1, unit: "" },
    { label: "ok2", value: 2, unit: "" },
  ]);
  assert.equal(skipped, 14);
  assert.equal(ignored, 0);
  assert.deepEqual(parsePerfdata("").perfdata, []);
  assert.deepEqual(parsePerfdata(" | ; = ' ").perfdata, []);
});

test("perfdata: labels lose control characters and are cut to 64 characters", () => {
  const long = "é".repeat(100);
  const { perfdata } = parsePerfdata(`'a\tb\u0007c'=1 '${long}'=2 '  '=3`);
  assert.equal(perfdata[0]?.label, "a b c");
  assert.equal(perfdata[1]?.label, "é".repeat(LABEL_LIMIT));
  assert.equal(perfdata.length, 2, "a label of spaces only is skipped");
});

test(`perfdata: at most ${PERFDATA_LIMIT} labels are kept; the rest are counted`, () => {
  const text = Array.from({ length: 40 }, (_, i) => `l${i}=${i}`).join(" ");
  const { perfdata, ignored } = parsePerfdata(text);
  assert.equal(perfdata.length, PERFDATA_LIMIT);
  assert.equal(perfdata.at(-1)?.label, "l31");
  assert.equal(ignored, 8);
  const outcome = nagiosOutcome(0, parsePluginOutput(`OK | ${text}`));
  assert.equal(outcome?.message, "OK (perfdata: kept the first 32 labels, ignored 8 more)");
  assert.equal(outcome?.perfdata?.length, PERFDATA_LIMIT);
});

test("plugin output: the first line before | is the text; long output adds perfdata after its |", () => {
  const out = parsePluginOutput(
    "DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\r\n" +
      "/ 15272 MB (77%);\n/boot 68 MB (69%); | /boot=68MB;88;93;0;98\n" +
      "/home=69357MB;253404;253409;0;253414\n",
  );
  assert.equal(out.text, "DISK OK - free space: / 3326 MB (56%);");
  assert.deepEqual(out.perfdata.map((p) => [p.label, p.value / 1024 ** 2]), [
    ["/", 2643],
    ["/boot", 68],
    ["/home", 69357],
  ]);
  assert.equal(parsePluginOutput("no perfdata\nlong | x=1").text, "no perfdata");
  assert.equal(parsePluginOutput("no perfdata\nlong | x=1").perfdata.length, 1);
  assert.equal(parsePluginOutput("").text, "");
});

test("plugin output cut at the limit drops its last line or word, so no cut number is read", () => {
  const cut = parsePluginOutput("OK | a=1\nlong | b=2 c=12", true);
  assert.deepEqual(cut.perfdata.map((p) => p.label), ["a"]);
  const oneLine = parsePluginOutput("OK | a=1 b=12", true);
  assert.deepEqual(oneLine.perfdata.map((p) => p.label), ["a"]);
  assert.equal(oneLine.text, "OK");
});

// ---------------------------------------------------------------------------
// Exit codes through the real command check

/** Runs `script` with sh as a command check with `nagios: true`. */
function plugin(script: string, extra: Record<string, unknown> = {}): Promise<RunResult> {
  return runCheck({ type: "command", command: ["sh", "-c", script], nagios: true, ...extra });
}

test("nagios: exit 0 is UP with the first line before | as the message, and its perfdata", async () => {
  const result = await plugin(
    "echo 'APP OK - 12 jobs queued | queued=12;50;100;0 latency=15ms'; echo 'detail line'",
  );
  assert.equal(result.status, "UP");
  assert.equal(result.message, "APP OK - 12 jobs queued");
  assert.deepEqual(result.perfdata, [
    { label: "queued", value: 12, unit: "" },
    { label: "latency", value: 0.015, unit: "seconds" },
  ]);
});

test("nagios: exit 1 is WARN, exit 2 is DOWN, both with the plugin's line and perfdata", async () => {
  const warning = await plugin("echo 'APP WARNING - 60 jobs | queued=60'; exit 1");
  assert.equal(warning.status, "WARN");
  assert.equal(warning.message, "APP WARNING - 60 jobs");
  assert.deepEqual(warning.perfdata, [{ label: "queued", value: 60, unit: "" }]);
  const critical = await plugin("echo 'APP CRITICAL - 200 jobs | queued=200'; exit 2");
  assert.equal(critical.status, "DOWN");
  assert.equal(critical.message, "APP CRITICAL - 200 jobs");
  assert.deepEqual(critical.perfdata, [{ label: "queued", value: 200, unit: "" }]);
});

test("nagios: exit 3 (UNKNOWN) is DOWN and the message says UNKNOWN", async () => {
  const bare = await plugin("echo 'cannot read the queue'; exit 3");
  assert.equal(bare.status, "DOWN");
  assert.equal(bare.message, "UNKNOWN: cannot read the queue");
  const says = await plugin("echo 'APP UNKNOWN - no queue'; exit 3");
  assert.equal(says.message, "APP UNKNOWN - no queue", "not said twice");
  const silent = await plugin("exit 3");
  assert.equal(silent.message, "UNKNOWN (exit code 3)");
});

test("nagios: any other exit code is DOWN naming it, with the output as for any command", async () => {
  const result = await plugin("echo 'APP OK | queued=1'; exit 4");
  assert.equal(result.status, "DOWN");
  assert.equal(
    result.message,
    "exit code 4 (not a Nagios plugin state, 0 to 3): APP OK | queued=1",
  );
  assert.equal(result.perfdata, undefined);
  const killed = await plugin("kill -9 $$");
  assert.equal(killed.status, "DOWN");
  assert.equal(killed.message, "killed by SIGKILL");
});

test("nagios: stdout is the message; stderr only when stdout is empty", async () => {
  const both = await plugin("echo 'noise' >&2; echo 'APP OK'");
  assert.equal(both.message, "APP OK");
  const stderrOnly = await plugin("echo 'plugin: cannot open socket' >&2; exit 2");
  assert.equal(stderrOnly.status, "DOWN");
  assert.equal(stderrOnly.message, "plugin: cannot open socket");
  const silent = await plugin("exit 1");
  assert.equal(silent.status, "WARN");
  assert.equal(silent.message, "WARNING (exit code 1)");
  const ok = await plugin("true");
  assert.equal(ok.message, "OK (exit 0)");
});

test("nagios: a timeout stays as for any command: DOWN, the output so far, no perfdata", async () => {
  const result = await plugin("echo 'APP OK | a=1'; sleep 5", { timeout: 300 });
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, "timed out after 300 ms; output so far: APP OK | a=1");
  assert.equal(result.perfdata, undefined);
});

test("nagios: secrets from env are masked in the message and in perfdata labels", async () => {
  const result = await plugin(`echo "token $TOKEN ok | '$TOKEN'=1"`, {
    env: { TOKEN: "s3cr3t-v4lue" },
  });
  assert.equal(result.message, "token *** ok");
  assert.deepEqual(result.perfdata, [{ label: "***", value: 1, unit: "" }]);
});

test(`nagios: ${NAGIOS_OUTPUT_LIMIT} bytes of stdout are read; a cut line gives no perfdata`, async () => {
  const result = await plugin(
    `echo 'APP OK | first=1'; echo 'long | second=2'; head -c 9000 /dev/zero | tr '\\0' 'x'; ` +
      `echo ' third=3'`,
  );
  assert.equal(result.status, "UP");
  assert.equal(result.message, "APP OK");
  assert.deepEqual(result.perfdata?.map((p) => p.label), ["first", "second"]);
});

test("nagios: false (the default) keeps exit codes as they were: 1 is DOWN", async () => {
  const result = await runCheck({
    type: "command",
    command: ["sh", "-c", "echo 'APP WARNING | a=1'; exit 1"],
  });
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, "exit code 1: APP WARNING | a=1");
  assert.equal(result.perfdata, undefined);
});

// ---------------------------------------------------------------------------
// /metrics

/** A metric family as parse-prometheus-text-format reads it. */
interface Family {
  name: string;
  type: string;
  help: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

/** A config with a nagios check printing labels that need escaping, and one that prints none. */
const METRICS_CONFIG = `cache: {ttl: 0}
checks:
  - name: queue
    type: command
    nagios: true
    command:
      - sh
      - -c
      - >-
        echo "QUEUE WARNING - 60 jobs | queued=60;50;100;0 wait=1500ms 'disk \\"/\\"\\\\x'=2KB
        'hits'=7c ratio=12.5% gone=U"; exit 1
  - { name: plain, type: command, command: ["true"], nagios: true }
`;

test("/metrics: perfdata values are a gauge labelled by check, label and unit", async () => {
  const config = parseConfig(METRICS_CONFIG, "nagios.yaml", {});
  const app = createApp(config, { platform, log: silentLogger });
  try {
    const health = await get(app, "/health");
    assert.equal(health.status, 200, "WARN never makes a status DOWN");
    const body = await health.json() as { checks: RunResult[] };
    const queue = body.checks.find((check) => check.name === "queue");
    assert.equal(queue?.status, "WARN");
    assert.equal(queue?.message, "QUEUE WARNING - 60 jobs");
    assert.equal(queue?.perfdata?.length, 5, "the json body shows the perfdata");
    assert.equal(body.checks.find((check) => check.name === "plain")?.perfdata, undefined);

    const text = await (await get(app, "/metrics")).text();
    const families = parsePrometheusTextFormat(text) as Family[];
    const perfdata = families.find((family) => family.name === "vitals_check_perfdata");
    assert.ok(perfdata, "vitals_check_perfdata is present");
    assert.equal(perfdata.type, "GAUGE");
    assert.deepEqual(
      perfdata.metrics.map((metric) => [metric.labels, Number(metric.value)]),
      [
        [{ check: "queue", label: "queued", unit: "" }, 60],
        [{ check: "queue", label: "wait", unit: "seconds" }, 1.5],
        [{ check: "queue", label: 'disk "/"\\x', unit: "bytes" }, 2048],
        [{ check: "queue", label: "hits", unit: "counter" }, 7],
        [{ check: "queue", label: "ratio", unit: "percent" }, 12.5],
      ],
    );
    assert.ok(
      text.includes(
        'vitals_check_perfdata{check="queue",label="disk \\"/\\"\\\\x",unit="bytes"} 2048',
      ),
      "the label is escaped as the format requires",
    );
  } finally {
    app.health.close();
  }
});
