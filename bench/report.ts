/**
 * Writes a run's results: `bench/results/latest.json` (atomically, through a
 * `.tmp` file) and the generated tables in BENCHMARKS.md, between the
 * `<!-- bench:start -->` and `<!-- bench:end -->` markers, leaving the prose
 * around them as written.
 *
 * @module
 */

import { spread } from "./probe.ts";
import { ratio, type Summary } from "./stats.ts";
import { fanoutLimitMs } from "./targets.ts";
import type { Results, ServeRow } from "./types.ts";

export const START_MARKER = "<!-- bench:start -->";
export const END_MARKER = "<!-- bench:end -->";

/** Writes `results` as pretty JSON to `file`, replacing it only once fully written. */
export async function writeJson(file: string, results: Results): Promise<void> {
  const tmp = `${file}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify(results, null, 2) + "\n");
  await Deno.rename(tmp, file);
}

/** A number with `digits` decimals and thousands separators. */
function num(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** `median (min–max)`. */
function range(summary: Summary, digits = 0): string {
  return `${num(summary.median, digits)} (${num(summary.min, digits)}–${num(summary.max, digits)})`;
}

const times = (value: number) => Number.isFinite(value) ? `${value.toFixed(2)}×` : "n/a";

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function serveSection(results: Results): string {
  const { serve, settings } = results;
  const byId = new Map(serve.map((row) => [row.id, row]));
  const nginx = serve.find((row) => row.program === "nginx");
  const versus = (row: ServeRow, base: ServeRow | undefined) =>
    row.program === "vitals" && base
      ? times(ratio(row.reqPerSec.median, base.reqPerSec.median))
      : "";
  const cpuVersus = (row: ServeRow, base: ServeRow | undefined) =>
    row.program === "vitals" && base
      ? times(ratio(row.cpuUsPerReq.median, base.cpuUsPerReq.median))
      : "";
  const rows = serve.map((row) => {
    const bare = row.baseline ? byId.get(row.baseline) : undefined;
    return [
      row.program === "vitals" ? `**${row.id.split(" ")[0]}**` : row.id.split(" ")[0]!,
      `\`${row.path}\``,
      num(row.bodyBytes),
      range(row.reqPerSec),
      range(row.p50Ms, 2),
      range(row.p99Ms, 2),
      range(row.cpuUsPerReq, 1),
      cpuVersus(row, bare),
      `${num(row.serverCoreBusyPct.median)} / ${num(row.loadCoreBusyPct.median)}`,
      num(row.idleRssMb, 1),
      range(row.peakRssMb, 1),
      versus(row, bare),
      versus(row, nginx),
      row.errors === 0 ? "0" : `**${row.errors}**`,
    ];
  });
  const w = settings.wrk;
  return [
    "### 1. Serving from cache",
    "",
    `\`wrk -t${w.threads} -c${w.connections} -d${w.durationS}s --latency\`, ` +
    `${settings.reps} repetitions after a ${w.warmupS} s warm-up; median (min–max). ` +
    "CPU is the server process's utime+stime over the run divided by requests; " +
    "peak RSS is VmHWM during the run (reset before each run); idle RSS is VmRSS " +
    "after start and one request per path (one sample). nginx figures are its worker's. " +
    "Busy % is how much of each core was in use during the runs (anything on it, from " +
    "/proc/stat): a server core well below 100 % means the load generator, not the server, " +
    "set the pace. On a busy machine req/s swings with other work; CPU µs per request " +
    "moves much less.",
    "",
    table(
      [
        "Server",
        "Path",
        "Body B",
        "req/s",
        "p50 ms",
        "p99 ms",
        "CPU µs/req",
        "CPU/req vs bare",
        "Busy % server / load core",
        "Idle RSS MB",
        "Peak RSS MB",
        "req/s vs bare",
        "req/s vs nginx",
        "Errors",
      ],
      rows,
    ),
  ].join("\n");
}

function startupSection(results: Results): string {
  const bare = results.startup.find((row) => row.program === "bare");
  const bareShot = results.oneShot.find((row) => row.program === "bare");
  return [
    "### 2. Start-up",
    "",
    `Process start to the first 200 from \`/health/simple\`, ${results.settings.startupRuns} ` +
    "starts each (alternating), with VmRSS 250 ms after that answer; median (min–max).",
    "",
    table(
      ["Program", "First 200 ms", "vs bare", "Idle RSS MB", "vs bare"],
      results.startup.map((row) => [
        `\`${row.command}\``,
        range(row.firstAnswerMs, 1),
        row === bare || !bare
          ? ""
          : times(ratio(row.firstAnswerMs.median, bare.firstAnswerMs.median)),
        range(row.idleRssMb, 1),
        row === bare || !bare ? "" : times(ratio(row.idleRssMb.median, bare.idleRssMb.median)),
      ]),
    ),
    "",
    `One-shot wall time: \`hyperfine -N --warmup ${results.settings.hyperfine.warmup} --runs ${results.settings.hyperfine.runs}\`; ` +
    "median (min–max).",
    "",
    table(
      ["Command", "Wall ms", "vs bare"],
      results.oneShot.map((row) => [
        `\`${row.command}\``,
        range(row.wallMs, 1),
        row === bareShot || !bareShot
          ? ""
          : times(ratio(row.wallMs.median, bareShot.wallMs.median)),
      ]),
    ),
  ].join("\n");
}

function checkCostSection(results: Results): string {
  return [
    "### 3. Cost of a check",
    "",
    "One `Health.evaluate(true)` of N identical checks with pool size = N (all at once), " +
    "divided by N, against N concurrent raw primitives divided by N, in the same process " +
    `(${results.settings.reps} samples of about ${results.settings.checksPerSample} checks ` +
    "each, alternating order). Raw primitives: command = spawn `/bin/true` with piped " +
    "output read to the end; tcp = connect to nginx and close; http = keep-alive `fetch` " +
    "of nginx with the body read. CPU is the runtime process's own (children excluded). " +
    "Median (min–max), µs per check.",
    "",
    table(
      ["Runtime", "Kind", "N", "vitals µs", "raw µs", "ratio", "vitals CPU µs", "raw CPU µs"],
      results.checkCost.map((row) => [
        row.runtime,
        row.kind,
        String(row.n),
        range(row.vitalsUs),
        range(row.rawUs),
        times(ratio(row.vitalsUs.median, row.rawUs.median)),
        range(row.vitalsCpuUs),
        range(row.rawCpuUs),
      ]),
    ),
  ].join("\n");
}

function fanoutSection(results: Results): string {
  return [
    "### 4. Fan-out",
    "",
    "One evaluation of 50 http checks against a local server that answers after 100 ms; " +
    "ideal = 50 × 100 ms / pool size. Median (min–max).",
    "",
    table(
      ["Runtime", "Pool", "Wall ms", "Ideal ms", "Limit ms", "vs ideal"],
      results.fanout.map((row) => [
        row.runtime,
        String(row.poolSize),
        range(row.wallMs, 1),
        num(row.idealMs, 0),
        num(fanoutLimitMs(row.idealMs), 1),
        times(ratio(row.wallMs.median, row.idealMs)),
      ]),
    ),
  ].join("\n");
}

function burstSection(results: Results): string {
  return [
    "### 5. Burst at expiry",
    "",
    "A fresh in-process server per repetition (`createApp` + `platform.serve`), cold cache, " +
    "one http check that takes 50 ms. The runner (load core) opens 500 keep-alive " +
    "connections, sends two warm-up rounds of 500 requests to a 404 route (which runs no " +
    "check; the second round's p99 is the floor: 500 answers with no evaluation), then " +
    "500 concurrent `GET /health`, one per connection. Latency runs from firing the burst " +
    "to each full answer. Median (min–max).",
    "",
    table(
      [
        "Runtime",
        "Evaluations",
        "p99 ms",
        "max ms",
        "Floor p99 ms",
        "Evaluation ms",
        "p99 − evaluation ms",
        "Failed",
      ],
      results.burst.map((row) => [
        row.runtime,
        row.evaluations.join(", "),
        range(row.p99Ms, 1),
        range(row.maxMs, 1),
        range(row.floorP99Ms, 1),
        range(row.evalMs, 1),
        range(row.overMs, 1),
        String(row.failures),
      ]),
    ),
  ].join("\n");
}

/** `median (p10–p90)`. */
function deciles(summary: Summary, digits: number, unit = ""): string {
  const { p10, p90 } = spread(summary);
  return `${num(summary.median, digits)}${unit} (${num(p10, digits)}–${num(p90, digits)}${unit})`;
}

function probeSection(results: Results): string[] {
  const probe = results.probe;
  if (!probe) return [];
  const { bundle, deno } = probe.modules;
  const hello = (build: string) =>
    probe.rows.find((row) => row.build === build && row.role === "hello");
  const kb = (bytes: number) => `${num(bytes / 1024, 0)} KB`;
  const modules = [
    "error" in bundle
      ? `Modules in the compiled binary: not checked (${bundle.error.split("\n")[0]}).`
      : `Modules in the compiled binary (traced bundle): probe runs the initialisers of ` +
        `${bundle.initialised.length} of ${bundle.lazyModules} lazily loaded modules, and ` +
        `${bundle.hoisted.length} modules without one run in every command; together ` +
        `${kb(bundle.evaluatedBytes)} of the ${kb(bundle.bytes)} unminified bundle, which holds ` +
        `yaml ${kb(bundle.bytesByOrigin["yaml"] ?? 0)} and zod ${
          kb(bundle.bytesByOrigin["zod"] ?? 0)
        }. ` +
        `yaml or zod initialisers run: **${bundle.yamlOrZod ? "yes" : "no"}**` +
        (bundle.hoistedYamlOrZod.length > 0
          ? ` (without an initialiser, so run at start-up by every command: ${
            bundle.hoistedYamlOrZod.map((p) => `\`${p}\``).join(", ")
          })`
          : "") +
        `; the validate control ${
          bundle.controlSawYamlAndZod ? "runs both" : "**did not: the trace is broken**"
        }.`,
    ...("error" in bundle || !bundle.commands ? [] : [
      `Static imports of built-ins in the bundle (loaded by every command): ${
        bundle.builtins?.length ? bundle.builtins.map((b) => `\`${b}\``).join(", ") : "none"
      }. What each command evaluates (traced bundle): ` +
      bundle.commands.map((c) =>
        `\`${c.command}\` ${c.own.length} own modules` +
        (c.packages.length > 0 ? ` and ${c.packages.join(", ")}` : "") +
        `, config loader ${c.configLoader ? "yes" : "no"}, check kinds ${
          c.checkKinds ? "yes" : "no"
        }, server ${c.server ? "yes" : "no"}, request handler ${c.handler ? "yes" : "no"}`
      ).join("; ") + ".",
    ]),
    "error" in deno
      ? `Modules on Deno: not checked (${deno.error.split("\n")[0]}).`
      : `Deno with yaml and zod mapped to a module that throws: probe exited ${deno.probeCode}, ` +
        `the validate control ${deno.controlCode}; yaml or zod loaded: ` +
        `**${deno.yamlOrZod ? "yes" : "no"}**.`,
  ];
  return [
    "",
    "### 6. `vitals probe` start to exit",
    "",
    `\`hyperfine -N --runs 1\` of every command per round, ${probe.runs} rounds in a rotating ` +
    "order after a warm-up, on the server core; the vitals it asks (one background-mode " +
    `check, cached) runs on the load core at \`${probe.url}\`. \`vitals\` is ` +
    "`bun build --compile --minify --splitting --bytecode --format=esm main.ts` (as " +
    "`deno task compile:bun`, less the source map), `bare_exit` prints a line and exits, " +
    "`bare_fetch` only GETs the URL (both `--compile --minify`), the one-shot `check` runs one " +
    "TCP check against the same server" +
    (probe.checkOwnMs
      ? `, whose own time (its \`durationMs\`, 5 runs) was ${deciles(probe.checkOwnMs, 1)} ms`
      : "") +
    '. Median (p10–p90); "vs hello per round" is each round\'s ' +
    "wall time over the same build's hello in that round. CPU is user + system time of the " +
    "process, all threads (hyperfine's), which other work on the machine disturbs less " +
    "than wall time.",
    "",
    table(
      [
        "Build",
        "Command",
        "Wall ms",
        "vs hello (medians)",
        "vs hello per round",
        "CPU ms",
        "CPU vs hello",
      ],
      probe.rows.map((row) => {
        const base = hello(row.build);
        const isBase = row === base || !base;
        return [
          row.build,
          `\`${row.command}\``,
          deciles(row.wallMs, 1),
          isBase ? "" : times(ratio(row.wallMs.median, base.wallMs.median)),
          isBase ? "" : deciles(row.vsHelloPerRound, 2, "×"),
          deciles(row.cpuMs, 1),
          isBase ? "" : times(ratio(row.cpuMs.median, base.cpuMs.median)),
        ];
      }),
    ),
    "",
    ...modules.flatMap((line) => [line, ""]).slice(0, -1),
  ];
}

/** The generated part of BENCHMARKS.md, markers included. */
export function renderSection(results: Results): string {
  const { machine, versions, targets } = results;
  const met = targets.filter((t) => t.met).length;
  const pinning = machine.pinning.server === null
    ? "not pinned (one core)"
    : `server pinned to CPU ${machine.pinning.server}, load generator to CPU ${machine.pinning.load}`;
  return [
    START_MARKER,
    "",
    `_Generated by \`deno task bench${results.mode === "quick" ? " --quick" : ""}\` on ` +
    `${results.startedAt.slice(0, 16).replace("T", " ")} UTC (${results.mode} run, ` +
    `${results.settings.reps} repetitions, ${Math.round(results.durationS)} s). ` +
    "Regenerated on every run: edit the prose outside the markers only._",
    "",
    `**Machine:** ${machine.cpu}, ${machine.cores} cores, ${
      machine.memoryGb.toFixed(1)
    } GB RAM, Linux ${machine.kernel}; ${pinning}.`,
    "",
    `**Versions:** ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(", ")}.`,
    "",
    `**Targets: ${met} of ${targets.length} met.**`,
    "",
    table(
      ["Target", "Measured", "Limit", "Result"],
      targets.map((t) => [t.description, t.measured, t.limit, t.met ? "met" : "**missed**"]),
    ),
    ...(results.notes.length > 0
      ? ["", "Notes from the run:", "", ...results.notes.map((note) => `- ${note}`)]
      : []),
    "",
    serveSection(results),
    "",
    startupSection(results),
    "",
    checkCostSection(results),
    "",
    fanoutSection(results),
    "",
    burstSection(results),
    ...probeSection(results),
    "",
    END_MARKER,
  ].join("\n");
}

/** Replaces the marked section of `file` (or appends one), keeping everything else. */
export async function updateMarkdown(file: string, section: string): Promise<void> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    text = "# Benchmarks\n";
  }
  const start = text.indexOf(START_MARKER);
  const end = text.indexOf(END_MARKER);
  const next = start !== -1 && end > start
    ? text.slice(0, start) + section + text.slice(end + END_MARKER.length)
    : `${text.trimEnd()}\n\n${section}\n`;
  await Deno.writeTextFile(file, next);
}
