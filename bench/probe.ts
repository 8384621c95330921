/**
 * Section 6, `vitals probe` start to exit: the wall time of the image's health
 * check, `vitals probe`, against a running vitals, next to a compiled program
 * that prints a line and exits (`bench/bare_exit.ts`), a compiled program that
 * only fetches the same URL (`bench/bare_fetch.ts`, the floor for any probe),
 * `vitals --version` and `--help` (start-up without the request), and a
 * one-shot `vitals check` of one TCP check against the same server, whose own
 * time (the check's `durationMs`) is measured apart. `--version` and `probe`
 * also run from source on Deno, next to the same two programs. Also checks
 * which modules each command evaluates (`bench/probe_modules.ts`).
 *
 * The vitals binary is built as `deno task compile:bun` builds it, less the source map
 * ({@link VITALS_BUILD_FLAGS}), the target it asks is one `serve` of that
 * binary on the load core with a background-mode cache (every answer cached), and
 * every command runs once per round under `hyperfine -N` on the server core,
 * in an order that rotates each round, so drift spreads over all of them.
 *
 * @module
 */

import { freePort, vitalsServeArgs, waitFor200 } from "./proc.ts";
import { checkProbeModules } from "./probe_modules.ts";
import { quantile, ratio, summarize, type Summary } from "./stats.ts";
import type { Context, ProbeResult, ProbeRow } from "./types.ts";

interface Command {
  readonly build: ProbeRow["build"];
  readonly role: ProbeRow["role"];
  readonly argv: readonly string[];
  readonly shown: string;
}

interface HyperfineJson {
  /** `user` and `system` are means over the runs: with `--runs 1`, that run's CPU time. */
  results: { command: string; times: number[]; user: number; system: number }[];
}

/** One run of one command: wall time and CPU time (user + system, all threads), in ms. */
interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

/** The config of the vitals the probes ask: one cheap check, re-run in the background. */
export const PROBE_CONFIG = {
  cache: { ttl: "1h", mode: "background" },
  pool: { size: 1 },
  checks: [{ name: "true", type: "command", command: ["/bin/true"] }],
};

/** The path `vitals probe` asks by default (`--group ready`). */
export const PROBE_PATH = "/health/ready/simple";

/**
 * How `deno task compile:bun` builds vitals, less `--sourcemap`. `--splitting`
 * puts each subcommand and yaml and zod in chunks of their own, loaded when
 * imported, so `probe` does not even parse the config loader; `--bytecode`
 * (with `--format=esm`, which splitting needs) spares parsing what it loads.
 */
export const VITALS_BUILD_FLAGS = [
  "--compile",
  "--minify",
  "--splitting",
  "--bytecode",
  "--format=esm",
] as const;

/** The comparison programs are built plainly: they have nothing to split. */
const PLAIN_BUILD_FLAGS = ["--compile", "--minify"] as const;

async function compile(
  ctx: Context,
  entry: string,
  out: string,
  flags: readonly string[],
): Promise<void> {
  const finished = await ctx.procs.run(`build ${entry}`, [
    ctx.programs.bun,
    "build",
    ...flags,
    entry,
    "--outfile",
    out,
  ], "none");
  if (finished.code !== 0) {
    throw new Error(`bun build ${flags.join(" ")} ${entry} failed:\n${finished.stderr}`);
  }
}

/** A one-check config for the one-shot `check`: a TCP connection to the probe target. */
export const checkConfig = (port: number) => ({
  checks: [{ name: "target", type: "tcp", host: "127.0.0.1", port }],
});

/** The check's own time in `runs` runs of `vitals check --json`: its `durationMs`. */
async function checkOwnTimes(
  ctx: Context,
  argv: readonly string[],
  runs: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const finished = await ctx.procs.run("check --json", [...argv, "--json"], "server");
    if (finished.code !== 0) throw new Error(`vitals check exited ${finished.code}`);
    const body = JSON.parse(finished.stdout) as { checks: { durationMs: number }[] };
    times.push(body.checks[0]!.durationMs);
  }
  return times;
}

function commands(
  ctx: Context,
  vitals: string,
  fetcher: string,
  url: string,
  check: string,
): Command[] {
  const deno = [ctx.programs.deno, "run", "-A", "--no-lock"];
  const denoShown = "deno run -A --no-lock";
  return [
    { build: "compiled", role: "hello", argv: [ctx.programs.bareExitBin], shown: "bare_exit" },
    { build: "compiled", role: "fetch", argv: [fetcher, url], shown: "bare_fetch URL" },
    {
      build: "compiled",
      role: "version",
      argv: [vitals, "--version"],
      shown: "vitals --version",
    },
    {
      build: "compiled",
      role: "help",
      argv: [vitals, "--help"],
      shown: "vitals --help",
    },
    {
      build: "compiled",
      role: "probe",
      argv: [vitals, "probe", "--url", url],
      shown: "vitals probe --url URL",
    },
    {
      build: "compiled",
      role: "check",
      argv: [vitals, "check", "--config", check],
      shown: "vitals check --config one-tcp-check.json",
    },
    {
      build: "deno",
      role: "hello",
      argv: [...deno, "bench/bare_exit.ts"],
      shown: `${denoShown} bench/bare_exit.ts`,
    },
    {
      build: "deno",
      role: "fetch",
      argv: [...deno, "bench/bare_fetch.ts", url],
      shown: `${denoShown} bench/bare_fetch.ts URL`,
    },
    {
      build: "deno",
      role: "version",
      argv: [...deno, "main.ts", "--version"],
      shown: `${denoShown} main.ts --version`,
    },
    {
      build: "deno",
      role: "probe",
      argv: [...deno, "main.ts", "probe", "--url", url],
      shown: `${denoShown} main.ts probe --url URL`,
    },
  ];
}

/** One `hyperfine -N --runs 1` of every command in `order`; returns each one's timing, in order. */
async function hyperfine(
  ctx: Context,
  order: readonly Command[],
  warmup: number,
  file: string,
): Promise<Timing[]> {
  const finished = await ctx.procs.run("hyperfine probe", [
    "hyperfine",
    "-N",
    "--style",
    "none",
    "--warmup",
    String(warmup),
    "--runs",
    "1",
    "--export-json",
    file,
    ...order.map((command) => command.argv.join(" ")),
  ], "server");
  if (finished.code !== 0) {
    throw new Error(`hyperfine failed (${finished.code}):\n${finished.stderr}${finished.stdout}`);
  }
  const json = JSON.parse(await Deno.readTextFile(file)) as HyperfineJson;
  if (json.results.length !== order.length) {
    throw new Error(`hyperfine returned ${json.results.length} results for ${order.length}`);
  }
  return json.results.map((result) => ({
    wall: (result.times[0] ?? Number.NaN) * 1000,
    cpu: (result.user + result.system) * 1000,
  }));
}

/** `median (p10–p90)` figures of a summary's samples. */
export function spread(summary: Summary): { p10: number; p90: number } {
  const sorted = [...summary.samples].sort((a, b) => a - b);
  return { p10: quantile(sorted, 0.1), p90: quantile(sorted, 0.9) };
}

/** Runs the section: builds, starts the target, checks the modules, times the rounds. */
export async function runProbe(ctx: Context): Promise<ProbeResult> {
  const dir = `${ctx.tmp}/probe`;
  await Deno.mkdir(dir, { recursive: true });
  const vitals = `${dir}/vitals`;
  const fetcher = `${dir}/bare_fetch`;
  ctx.log(`  building vitals (${VITALS_BUILD_FLAGS.join(" ")}) and bench/bare_fetch.ts`);
  await compile(ctx, "main.ts", vitals, VITALS_BUILD_FLAGS);
  await compile(ctx, "bench/bare_fetch.ts", fetcher, PLAIN_BUILD_FLAGS);
  const config = `${dir}/probe.json`;
  await Deno.writeTextFile(config, JSON.stringify(PROBE_CONFIG));
  const port = freePort();
  const url = `http://127.0.0.1:${port}${PROBE_PATH}`;
  const check = `${dir}/one-tcp-check.json`;
  await Deno.writeTextFile(check, JSON.stringify(checkConfig(port)));
  const server = ctx.procs.start("probe target", [vitals, ...vitalsServeArgs(config, port)], {
    side: "load",
  });
  try {
    await waitFor200(url, server);
    ctx.log("  which modules each command evaluates");
    const modules = await checkProbeModules(
      ctx.procs,
      ctx.programs,
      `${dir}/modules`,
      url,
      config,
      check,
    );
    const list = commands(ctx, vitals, fetcher, url, check);
    const { warmup } = ctx.settings.hyperfine;
    const runs = ctx.settings.probeRuns;
    ctx.log(`  ${runs} rounds of ${list.length} commands after ${warmup} warm-up runs each`);
    await hyperfine(ctx, list, warmup, `${dir}/warmup.json`);
    const times = list.map((): Timing[] => []);
    for (let round = 0; round < runs; round++) {
      // Rotate the order each round, so every command takes every position equally often.
      const order = list.map((_, i) => (i + round) % list.length);
      const got = await hyperfine(
        ctx,
        order.map((i) => list[i]!),
        0,
        `${dir}/round.json`,
      );
      order.forEach((index, k) => times[index]!.push(got[k]!));
    }
    const rows: ProbeRow[] = list.map((command, i) => {
      const hello = list.findIndex((c) => c.build === command.build && c.role === "hello");
      const perRound = times[i]!.map((t, round) => ratio(t.wall, times[hello]![round]!.wall));
      return {
        build: command.build,
        role: command.role,
        command: command.shown,
        wallMs: summarize(times[i]!.map((t) => t.wall)),
        cpuMs: summarize(times[i]!.map((t) => t.cpu)),
        vsHelloPerRound: summarize(perRound),
      };
    });
    const checkOwnMs = summarize(await checkOwnTimes(ctx, [vitals, "check", "--config", check], 5));
    const compiled = (role: ProbeRow["role"]) =>
      rows.find((r) => r.build === "compiled" && r.role === role)!;
    const hello = compiled("hello");
    for (const role of ["probe", "version", "check"] as const) {
      const row = compiled(role);
      ctx.log(
        `  compiled: ${role} ${row.wallMs.median.toFixed(1)} ms, hello ` +
          `${hello.wallMs.median.toFixed(1)} ms, ` +
          `${ratio(row.wallMs.median, hello.wallMs.median).toFixed(2)}×`,
      );
    }
    ctx.log(`  the check's own time: ${checkOwnMs.median.toFixed(1)} ms`);
    return { url: `http://127.0.0.1:P${PROBE_PATH}`, runs, rows, modules, checkOwnMs };
  } finally {
    await ctx.procs.stop(server);
  }
}
