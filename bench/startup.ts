/**
 * Section 2, start-up: process start to the first 200 from `/health/simple`
 * for the compiled vitals binary against the compiled bare Bun server (with the
 * idle RSS of each right after), and hyperfine's wall time of the one-shot
 * `vitals check` against a compiled bare program that prints and exits.
 *
 * @module
 */

import { freePort, memoryKb, sleep, vitalsServeArgs, waitFor200 } from "./proc.ts";
import { summarize } from "./stats.ts";
import type { Context, OneShotRow, StartupRow } from "./types.ts";

/** How long a server sits after its first answer before its idle RSS is read. */
const SETTLE_MS = 250;

interface Program {
  readonly program: StartupRow["program"];
  readonly argv: (port: number) => string[];
  readonly shown: string;
}

/** Runs the start-to-first-answer half, alternating the programs each run. */
export async function runFirstAnswer(ctx: Context, config: string): Promise<StartupRow[]> {
  const { vitalsBin, bareBunBin } = ctx.programs;
  const programs: Program[] = [
    {
      program: "vitals",
      argv: (port) => [vitalsBin, ...vitalsServeArgs(config, port)],
      shown: "dist/bench/vitals serve --config serve.json --port P --host 127.0.0.1",
    },
    {
      program: "bare",
      argv: (port) => [bareBunBin, "--port", String(port)],
      shown: "dist/bench/bare_bun --port P",
    },
  ];
  const firstAnswer = programs.map((): number[] => []);
  const idle = programs.map((): number[] => []);
  for (let run = 0; run < ctx.settings.startupRuns; run++) {
    for (let i = 0; i < programs.length; i++) {
      // Alternate which program goes first.
      const index = (i + run) % programs.length;
      const program = programs[index]!;
      const port = freePort();
      const argv = program.argv(port);
      const t0 = performance.now();
      const started = ctx.procs.start(`startup ${program.program}`, argv, { side: "server" });
      try {
        const t1 = await waitFor200(`http://127.0.0.1:${port}/health/simple`, started);
        firstAnswer[index]!.push(t1 - t0);
        await sleep(SETTLE_MS);
        idle[index]!.push(memoryKb(started.pid).rss / 1024);
      } finally {
        await ctx.procs.stop(started);
      }
    }
  }
  ctx.log(
    `  first answer: ${
      programs.map((p, i) => `${p.program} ${summarize(firstAnswer[i]!).median.toFixed(1)} ms`)
        .join(", ")
    }`,
  );
  return programs.map((program, i) => ({
    program: program.program,
    command: program.shown,
    firstAnswerMs: summarize(firstAnswer[i]!),
    idleRssMb: summarize(idle[i]!),
  }));
}

interface HyperfineJson {
  results: { command: string; times: number[] }[];
}

/** Runs `vitals check` and the bare exit program under hyperfine. */
export async function runOneShot(ctx: Context, config: string): Promise<OneShotRow[]> {
  const { vitalsBin, bareExitBin } = ctx.programs;
  const out = `${ctx.tmp}/hyperfine.json`;
  const vitals = `${vitalsBin} check --config ${config}`;
  const finished = await ctx.procs.run("hyperfine", [
    "hyperfine",
    "-N",
    "--style",
    "basic",
    "--warmup",
    String(ctx.settings.hyperfine.warmup),
    "--runs",
    String(ctx.settings.hyperfine.runs),
    "--export-json",
    out,
    vitals,
    bareExitBin,
  ], "server");
  if (finished.code !== 0) {
    throw new Error(`hyperfine failed (${finished.code}):\n${finished.stderr}${finished.stdout}`);
  }
  const json = JSON.parse(await Deno.readTextFile(out)) as HyperfineJson;
  const wall = (command: string) => {
    const result = json.results.find((r) => r.command === command);
    if (!result) throw new Error(`hyperfine has no result for ${command}`);
    return summarize(result.times.map((s) => s * 1000));
  };
  const rows: OneShotRow[] = [
    {
      program: "vitals",
      command: "dist/bench/vitals check --config serve.json",
      wallMs: wall(vitals),
    },
    { program: "bare", command: "dist/bench/bare_exit", wallMs: wall(bareExitBin) },
  ];
  ctx.log(
    `  one-shot: vitals check ${rows[0]!.wallMs.median.toFixed(1)} ms, ` +
      `bare exit ${rows[1]!.wallMs.median.toFixed(1)} ms`,
  );
  return rows;
}
