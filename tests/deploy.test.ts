// The files in deploy/, checked by the tools that read them: the systemd unit
// with systemd-analyze (`verify` is clean, `security` rates it at most 2.0),
// the Prometheus alerts with promtool (`check rules`, then the unit tests
// in vitals-alerts.test.yaml) and the scrape config with `promtool check
// config`. Without those tools: the unit keeps what vitals needs, the scrape
// config keeps only vitals' port and labels each series with its namespace,
// pod and container, docs/ shows the unit, the manifests and the scrape
// config exactly as the files have them (one source, one copy),
// docs/metrics.md lists every alert, and every metric and label the alerts
// use is one vitals exports. A tool that
// is not installed skips its tests with the reason printed; .ci/run installs
// both (Debian's systemd and prometheus packages).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, relative } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { parse } from "yaml";
import { createApp } from "../src/app/create_app.ts";
import { parseConfig } from "../src/config/load.ts";
import { silentLogger } from "../src/log.ts";
import { ROOT } from "./_helpers/files.ts";
import { get } from "./_helpers/http.ts";
import { platform } from "./_helpers/platform.ts";

const UNIT = `${ROOT}deploy/systemd/vitals.service`;
const RULES = `${ROOT}deploy/prometheus/vitals-alerts.yaml`;
const RULE_TESTS = `${ROOT}deploy/prometheus/vitals-alerts.test.yaml`;
const SCRAPE = `${ROOT}deploy/prometheus/prometheus.yml`;
/** Where the unit expects the binary; `verify` needs an executable there. */
const BINARY = "/usr/local/bin/vitals";
/** The highest `systemd-analyze security` exposure the unit may have. */
const MAX_EXPOSURE = 2.0;

interface Ran {
  status: number | null;
  output: string;
  error?: Error | undefined;
}

/** Runs a program to its end; `output` is its stdout and stderr together. */
function run(argv: string[]): Ran {
  const [program = "", ...args] = argv;
  const result = spawnSync(program, args, {
    encoding: "utf8",
    env: { ...process.env, SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "", NO_COLOR: "1" },
    timeout: 60_000,
  });
  return {
    status: result.status,
    output: `${result.stdout ?? ""}${result.stderr ?? ""}`,
    error: result.error,
  };
}

/** `false` when `program` runs, else why not; the reason is printed, so a skip is never silent. */
function missing(program: string, versionArgs: string[], extra?: (ran: Ran) => string | false) {
  const ran = run([program, ...versionArgs]);
  let reason: string | false = ran.error || ran.status !== 0
    ? `${program} is not installed (${
      ran.error?.message ?? `exit ${ran.status}`
    }); .ci/run installs it with apt-get install systemd prometheus`
    : false;
  if (reason === false && extra) reason = extra(ran);
  if (reason !== false) console.log(`skipping the ${program} tests: ${reason}`);
  return reason;
}

const noSystemdAnalyze = missing("systemd-analyze", ["--version"], () => {
  const help = run(["systemd-analyze", "--help"]).output;
  return help.includes("--offline")
    ? false
    : "this systemd-analyze has no --offline (systemd 250 added it)";
});
const noPromtool = missing("promtool", ["--version"]);

/** The unit's settings: key to every value it is given, comments dropped. */
function unitSettings(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, key = "", value = ""] = match;
    settings.set(key, [...settings.get(key) ?? [], value]);
  }
  return settings;
}

test("the unit runs vitals from /usr/local/bin with /etc/vitals/vitals.yaml and keeps what vitals needs", () => {
  const settings = unitSettings(readFileSync(UNIT, "utf8"));
  const one = (key: string) => {
    const values = settings.get(key) ?? [];
    assert.equal(values.length, 1, `${key}= is set once: ${JSON.stringify(values)}`);
    return values[0];
  };
  assert.equal(one("ExecStart"), `${BINARY} serve --config /etc/vitals/vitals.yaml`);
  assert.match(one("ExecReload") ?? "", /^(\/bin\/)?kill (-HUP|-s HUP) \$MAINPID$/);
  assert.equal(one("Restart"), "on-failure");
  assert.equal(one("DynamicUser"), "yes");
  assert.equal(one("ConfigurationDirectory"), "vitals");
  assert.ok(Number(one("LimitNOFILE")) >= 4096, "room for connections past systemd's 1024");
  assert.equal(one("CapabilityBoundingSet"), "");
  assert.equal(one("RestrictAddressFamilies"), "AF_INET AF_INET6 AF_UNIX");
  assert.ok(!settings.has("MemoryDenyWriteExecute"), "the JIT needs writable executable memory");
  assert.ok(!settings.has("ProcSubset"), "vitals reads /proc/loadavg to scan only new PIDs");
});

test(
  "systemd-analyze verify finds nothing to say about the unit",
  { skip: noSystemdAnalyze },
  () => {
    // The unit as it is, but for ExecStart's binary, which verify wants to exist.
    const dir = mkdtempSync(`${tmpdir()}/vitals-unit-`);
    try {
      const text = readFileSync(UNIT, "utf8");
      const tested = text.replace(`\nExecStart=${BINARY} `, `\nExecStart=${dir}/vitals `);
      assert.notEqual(tested, text, `the unit runs ${BINARY}`);
      writeFileSync(`${dir}/vitals`, "#!/bin/sh\nexit 0\n");
      chmodSync(`${dir}/vitals`, 0o755);
      writeFileSync(`${dir}/vitals.service`, tested);
      const verify = run(["systemd-analyze", "verify", `${dir}/vitals.service`]);
      // verify exits 0 after a warning such as "Unknown key", so its silence is the test.
      assert.equal(verify.status, 0, verify.output);
      assert.equal(verify.output.trim(), "", "no warnings");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(`systemd-analyze security rates the unit's exposure at most ${MAX_EXPOSURE.toFixed(1)}`, {
  skip: noSystemdAnalyze,
}, () => {
  const security = run(["systemd-analyze", "security", "--offline=true", UNIT]);
  assert.equal(security.status, 0, security.output);
  const level = /Overall exposure level for vitals\.service: (\d+\.\d+)/.exec(security.output)?.[1];
  assert.ok(level !== undefined, security.output);
  console.log(`systemd-analyze security: exposure ${level}`);
  assert.ok(
    Number(level) <= MAX_EXPOSURE,
    `exposure ${level} > ${MAX_EXPOSURE}:\n${security.output}`,
  );
});

test("promtool check rules accepts the alerts, lint included", { skip: noPromtool }, () => {
  const check = run(["promtool", "check", "rules", "--lint=all", "--lint-fatal", RULES]);
  assert.equal(check.status, 0, check.output);
  assert.match(check.output, /SUCCESS: 9 rules found/);
});

test("promtool test rules: every alert fires when it should and only then", {
  skip: noPromtool,
}, () => {
  const tests = run(["promtool", "test", "rules", RULE_TESTS]);
  assert.equal(tests.status, 0, tests.output);
  assert.match(tests.output, /SUCCESS/);
  assert.doesNotMatch(tests.output, /FAILED/);
});

/** One relabel rule of a scrape config, with Prometheus' defaults filled in. */
interface Relabel {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: string;
}

interface ScrapeFile {
  rule_files?: string[];
  scrape_configs?: {
    job_name?: string;
    kubernetes_sd_configs?: { role?: string }[];
    relabel_configs?: Relabel[];
  }[];
}

/**
 * Applies `keep` and `replace` rules as Prometheus does (anchored regex,
 * `;`-joined source labels, `$1` replacement); `undefined` when a rule drops
 * the target. Any other action fails the test: the config uses only these.
 */
function relabel(labels: Record<string, string>, rules: Relabel[]) {
  const out = { ...labels };
  for (const rule of rules) {
    const value = (rule.source_labels ?? []).map((name) => out[name] ?? "").join(
      rule.separator ?? ";",
    );
    const match = new RegExp(`^(?:${rule.regex ?? "(.*)"})$`).exec(value);
    const action = rule.action ?? "replace";
    if (action === "keep") {
      if (!match) return undefined;
    } else if (action === "replace") {
      if (match && rule.target_label) {
        out[rule.target_label] = (rule.replacement ?? "$1").replace(
          /\$(\d)/g,
          (_, group: string) => match[Number(group)] ?? "",
        );
      }
    } else {
      assert.fail(`relabel action ${action} is not simulated here`);
    }
  }
  return out;
}

test("the scrape config keeps only vitals' port and labels each series with its namespace, pod and container", () => {
  const config = parse(readFileSync(SCRAPE, "utf8")) as ScrapeFile;
  assert.deepEqual(config.rule_files, ["vitals-alerts.yaml"], "it loads the alert rules beside it");
  const [job, ...others] = config.scrape_configs ?? [];
  assert.ok(job && others.length === 0, "one scrape job");
  assert.equal(job.job_name, "vitals", "the job name the alerts expect");
  assert.deepEqual(job.kubernetes_sd_configs, [{ role: "pod" }]);
  // What kubernetes_sd with role pod discovers: one target per container port.
  const pod = {
    __meta_kubernetes_namespace: "shop",
    __meta_kubernetes_pod_name: "myapp-7d4b9-x2x4q",
    __meta_kubernetes_pod_container_name: "vitals",
    __address__: "10.1.2.3:8080",
  };
  const rules = job.relabel_configs ?? [];
  const vitalsTarget = relabel(
    { ...pod, __meta_kubernetes_pod_container_port_name: "vitals" },
    rules,
  );
  assert.ok(vitalsTarget, "vitals' port is scraped");
  assert.equal(vitalsTarget.namespace, "shop");
  assert.equal(vitalsTarget.pod, "myapp-7d4b9-x2x4q");
  assert.equal(vitalsTarget.container, "vitals");
  const appTarget = relabel({
    ...pod,
    __meta_kubernetes_pod_container_name: "app",
    __meta_kubernetes_pod_container_port_name: "http",
    __address__: "10.1.2.3:3000",
  }, rules);
  assert.equal(appTarget, undefined, "the app's port is not scraped");
  // The Kubernetes recipe names vitals' port so this rule finds it.
  for (
    const file of [
      "vitals-sidecar.yaml",
      "vitals-sidecar-grpc.yaml",
      "vitals-sidecar-tls.yaml",
      "vitals-llm.yaml",
    ]
  ) {
    assert.match(
      readFileSync(`${ROOT}deploy/kubernetes/${file}`, "utf8"),
      /\{ name: vitals, containerPort: 8080 \}/,
      file,
    );
  }
});

test("promtool check config accepts the scrape config and the rules it loads", {
  skip: noPromtool,
}, () => {
  // Debian's promtool is built without Kubernetes discovery, so the copy
  // checked here discovers one static target instead; the relabel rules,
  // the job and rule_files are checked as they are.
  const dir = mkdtempSync(`${tmpdir()}/vitals-scrape-`);
  try {
    const text = readFileSync(SCRAPE, "utf8");
    const tested = text.replace(
      "kubernetes_sd_configs: [{ role: pod }]",
      'static_configs: [{ targets: ["127.0.0.1:8080"] }]',
    );
    assert.notEqual(tested, text, "the scrape config discovers pods");
    writeFileSync(`${dir}/prometheus.yml`, tested);
    writeFileSync(`${dir}/vitals-alerts.yaml`, readFileSync(RULES, "utf8"));
    const check = run(["promtool", "check", "config", `${dir}/prometheus.yml`]);
    assert.equal(check.status, 0, check.output);
    assert.match(check.output, /SUCCESS: 9 rules found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Rule {
  alert: string;
  expr: string;
  annotations?: Record<string, string>;
}

test("the alerts use only metrics vitals exports and print only labels their series carry", async () => {
  // A command check and an llm check with its stall watchdog (vLLM's port
  // closed here: the series exist whatever the server answers), and a port
  // serving TLS as the TLS keeper reports it to `serve`'s app.
  const tls = () => [
    { port: "http", notAfterMs: 1_800_000_000_000, reloadFailures: 0, unusable: false },
  ];
  const yaml = `cache: {ttl: 30s}
checks:
  - {name: ok, type: command, command: ["true"]}
  - name: llm
    type: llm
    server: vllm
    url: "http://127.0.0.1:1"
    generate: false
    stall: { stallAfter: 2m }
`;
  const app = createApp(parseConfig(yaml, "t.yaml", {}), { platform, log: silentLogger, tls });
  await get(app, "/health");
  const text = await (await get(app, "/metrics")).text();
  app.health.close();
  /** Metric name to the label names vitals puts on it. */
  const exported = new Map<string, Set<string>>();
  for (const [, name = "", pairs = ""] of text.matchAll(/^([a-z_:]+)(?:\{([^}]*)\})? /gm)) {
    const labels = exported.get(name) ?? new Set<string>();
    for (const [, label = ""] of pairs.matchAll(/([a-z_]+)="/g)) labels.add(label);
    exported.set(name, labels);
  }
  const rules = (parse(readFileSync(RULES, "utf8")) as { groups: { rules: Rule[] }[] }).groups
    .flatMap((group) => group.rules);
  assert.deepEqual(rules.map((rule) => rule.alert), [
    "VitalsCriticalCheckDown",
    "VitalsCheckNeverUp",
    "VitalsCheckWarning",
    "VitalsDown",
    "VitalsAbsent",
    "VitalsInternalError",
    "VitalsLlmStalled",
    "VitalsCertificateExpiringSoon",
    "VitalsCertificateReloadFailing",
  ]);
  for (const rule of rules) {
    const metrics = [...new Set(rule.expr.match(/\bvitals_[a-z_]+/g) ?? [])];
    for (const metric of metrics) assert.ok(exported.has(metric), `${rule.alert}: ${metric}`);
    // Prometheus adds job and instance to every scraped series.
    const carried = new Set(["job", "instance", ...metrics.flatMap((m) => [...exported.get(m)!])]);
    const printed = Object.values(rule.annotations ?? {}).join(" ");
    for (const [, label = ""] of printed.matchAll(/\$labels\.([A-Za-z_]+)/g)) {
      assert.ok(carried.has(label), `${rule.alert} prints $labels.${label}, which nothing sets`);
    }
  }
  assert.ok(exported.get("vitals_check_up")?.has("critical"), "the alerts select on critical");
});

/** Every Markdown file of the project's docs: the root's and everything under docs/. */
function markdownFiles(): string[] {
  const under = (dir: string): string[] =>
    readdirSync(`${ROOT}${dir}`, { withFileTypes: true }).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return under(path);
      return entry.name.endsWith(".md") ? [path] : [];
    });
  const root = readdirSync(ROOT).filter((name) => name.endsWith(".md"));
  return [...root, ...under("docs")];
}

/** The fenced blocks of one language in every Markdown file, with the file each is in. */
function fencedBlocks(language: string): { file: string; text: string }[] {
  return markdownFiles().flatMap((file) =>
    [
      ...readFileSync(`${ROOT}${file}`, "utf8").matchAll(
        new RegExp(`^\`\`\`${language}\n([\\s\\S]*?)^\`\`\`$`, "gm"),
      ),
    ].map((match) => ({ file, text: match[1] ?? "" }))
  );
}

test("docs/deploy/systemd.md shows the unit exactly as deploy/systemd/vitals.service has it, the only copy", () => {
  const page = "docs/deploy/systemd.md";
  const copies = fencedBlocks("ini").filter(({ text }) => text.includes("ExecStart="));
  assert.deepEqual(copies.map(({ file }) => file), [page], "one copy of the unit, on its page");
  assert.equal(copies[0]?.text, readFileSync(UNIT, "utf8"), `the unit drifted from ${page}`);
  const text = readFileSync(`${ROOT}${page}`, "utf8");
  assert.ok(text.includes("(../../deploy/systemd/vitals.service)"), `${page} links the unit`);
});

test("docs/metrics.md links the alerts and lists every alert of the rules file, and no doc copies them", () => {
  const page = readFileSync(`${ROOT}docs/metrics.md`, "utf8");
  assert.ok(
    page.includes("(../deploy/prometheus/vitals-alerts.yaml)"),
    "docs/metrics.md links the alerts",
  );
  const rules = (parse(readFileSync(RULES, "utf8")) as { groups: { rules: Rule[] }[] }).groups
    .flatMap((group) => group.rules.map((rule) => rule.alert));
  const listed = [...page.matchAll(/^\| `(Vitals[A-Za-z]+)` +\|/gm)].map((match) => match[1]);
  assert.deepEqual(listed, rules, "the alert table of docs/metrics.md, in the rules file's order");
  for (const file of markdownFiles()) {
    const text = readFileSync(`${ROOT}${file}`, "utf8");
    assert.doesNotMatch(text, /^\s*- alert: /m, `no second copy of the alerts in ${file}`);
  }
});

test("the Kubernetes, Cloud Foundry and metrics pages show their deploy files exactly as deploy/ has them, the only copies", () => {
  const blocks = fencedBlocks("yaml");
  // A Kubernetes workload shown anywhere is one of the recipes, whole.
  const recipes = ["vitals-sidecar.yaml", "vitals-llm.yaml"].map((name) =>
    readFileSync(`${ROOT}deploy/kubernetes/${name}`, "utf8")
  );
  for (
    const { file, text } of blocks.filter(({ text }) => /^kind: (Deployment|Pod)$/m.test(text))
  ) {
    assert.ok(recipes.includes(text), `a workload in ${file} that is not a recipe, whole`);
  }
  for (
    const [file, page, marker] of [
      [
        "deploy/kubernetes/vitals-sidecar.yaml",
        "docs/deploy/kubernetes.md",
        /^# deploy\/kubernetes\/vitals-sidecar\.yaml: /m,
      ],
      [
        "deploy/kubernetes/vitals-llm.yaml",
        "docs/deploy/kubernetes.md",
        /^# deploy\/kubernetes\/vitals-llm\.yaml: /m,
      ],
      ["deploy/cloudfoundry/manifest.yml", "docs/deploy/cloudfoundry.md", /^applications:$/m],
      ["deploy/prometheus/prometheus.yml", "docs/metrics.md", /^scrape_configs:$/m],
    ] as const
  ) {
    const copies = blocks.filter(({ text }) => marker.test(text));
    assert.deepEqual(copies.map((copy) => copy.file), [page], `one copy of ${file}, on ${page}`);
    assert.equal(
      copies[0]?.text,
      readFileSync(`${ROOT}${file}`, "utf8"),
      `${file} drifted from ${page}`,
    );
    const text = readFileSync(`${ROOT}${page}`, "utf8");
    const link = relative(dirname(page), file);
    assert.ok(text.includes(`(${link})`), `${page} links ${file} as ${link}`);
  }
});
