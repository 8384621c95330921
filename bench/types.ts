/**
 * Shapes shared by the benchmark runner's parts: the run's settings and
 * context, and every section of `bench/results/latest.json`.
 *
 * @module
 */

import type { ScaleResult } from "./scale.ts";

import type { Procs } from "./proc.ts";
import type { ProbeModules } from "./probe_modules.ts";
import type { Summary } from "./stats.ts";

/** How hard and how often each section measures. */
export interface Settings {
  readonly quick: boolean;
  /** Repetitions of each measurement (at least 3). */
  readonly reps: number;
  readonly wrk: {
    readonly threads: number;
    readonly connections: number;
    readonly durationS: number;
    readonly warmupS: number;
  };
  /** Starts per program for start-to-first-answer. */
  readonly startupRuns: number;
  readonly hyperfine: { readonly warmup: number; readonly runs: number };
  /** Interleaved rounds of the probe section (each command runs once per round). */
  readonly probeRuns: number;
  /** About how many checks one check-cost sample runs (per N, per kind). */
  readonly checksPerSample: number;
  /** Runtimes the fan-out section runs on. */
  readonly fanoutRuntimes: readonly Runtime[];
}

/** A runtime that runs vitals from source. */
export type Runtime = "deno" | "bun";

/** Executables the runner uses. */
export interface Programs {
  readonly deno: string;
  readonly bun: string;
  /** `bun build --compile main.ts`. */
  readonly vitalsBin: string;
  /** `bun build --compile bench/bare_bun.ts`. */
  readonly bareBunBin: string;
  /** `bun build --compile bench/bare_exit.ts`. */
  readonly bareExitBin: string;
}

/** What every section gets. */
export interface Context {
  readonly settings: Settings;
  readonly procs: Procs;
  readonly programs: Programs;
  /** The project root (where main.ts is). */
  readonly root: string;
  /** This run's temp directory. */
  readonly tmp: string;
  /** The CPUs whose busy time is reported (the pinned ones, or 0 and 0 without pinning). */
  readonly cores: { readonly server: number; readonly load: number };
  log(message: string): void;
}

/** One wrk target: a server and a path, measured `reps` times. */
export interface ServeRow {
  readonly id: string;
  readonly program: "vitals" | "bare" | "nginx";
  readonly runtime: "deno" | "bun" | "compiled" | "nginx";
  readonly path: string;
  /** The id of the bare server of the same runtime (vitals rows only). */
  readonly baseline?: string;
  readonly bodyBytes: number;
  readonly reqPerSec: Summary;
  readonly p50Ms: Summary;
  readonly p99Ms: Summary;
  readonly cpuUsPerReq: Summary;
  readonly peakRssMb: Summary;
  /** How busy the server's and the load generator's cores were during the runs, in %. */
  readonly serverCoreBusyPct: Summary;
  readonly loadCoreBusyPct: Summary;
  /** RSS after start and one request per path, before any load (one sample). */
  readonly idleRssMb: number;
  /** Non-2xx answers and socket errors over all repetitions (should be 0). */
  readonly errors: number;
}

/** Process start to first 200, with the idle RSS right after. */
export interface StartupRow {
  readonly program: "vitals" | "bare";
  readonly command: string;
  readonly firstAnswerMs: Summary;
  readonly idleRssMb: Summary;
}

/** hyperfine's wall time of a one-shot command. */
export interface OneShotRow {
  readonly program: "vitals" | "bare";
  readonly command: string;
  readonly wallMs: Summary;
}

/** Start-to-exit wall time of one command of the `vitals probe` section. */
export interface ProbeRow {
  /** `bun build --compile --minify`, or `deno run` from source. */
  readonly build: "compiled" | "deno";
  /**
   * The baseline (prints a line), the floor (one fetch), start-up only
   * (`--version`, `--help`), the probe, or a one-shot `check` of one check.
   */
  readonly role: "hello" | "fetch" | "version" | "help" | "probe" | "check";
  readonly command: string;
  readonly wallMs: Summary;
  /** User + system CPU time of the process (all its threads), which load disturbs less. */
  readonly cpuMs: Summary;
  /** This command's wall time over its build's hello in the same round, per round. */
  readonly vsHelloPerRound: Summary;
}

/** The `vitals probe` section. */
export interface ProbeResult {
  /** The URL the probes ask (P: the port of that run). */
  readonly url: string;
  /** Rounds; each command ran once per round. */
  readonly runs: number;
  readonly rows: readonly ProbeRow[];
  readonly modules: ProbeModules;
  /** The one-shot check's own time (its `durationMs`), apart from start-up; absent before. */
  readonly checkOwnMs?: Summary;
}

/** The kinds of check whose cost is measured. */
export type Kind = "command" | "tcp" | "http";

/** One evaluation of N identical checks, per check, against the raw primitive. */
export interface CheckCostRow {
  readonly runtime: Runtime;
  readonly kind: Kind;
  readonly n: number;
  readonly poolSize: number;
  /** Wall time of one evaluation divided by N, in µs. */
  readonly vitalsUs: Summary;
  /** Wall time of N concurrent raw primitives divided by N, in µs. */
  readonly rawUs: Summary;
  /** CPU time of the runtime process (children excluded) per check, in µs. */
  readonly vitalsCpuUs: Summary;
  readonly rawCpuUs: Summary;
}

/** What bench/check_cost.ts prints: raw samples per kind and N. */
export interface CheckCostOutput {
  readonly runtime: Runtime;
  readonly rows: readonly {
    readonly kind: Kind;
    readonly n: number;
    readonly poolSize: number;
    readonly vitalsUs: readonly number[];
    readonly rawUs: readonly number[];
    readonly vitalsCpuUs: readonly number[];
    readonly rawCpuUs: readonly number[];
  }[];
}

/** 50 slow checks on a pool of `poolSize`. */
export interface FanoutRow {
  readonly runtime: Runtime;
  readonly checks: number;
  readonly checkMs: number;
  readonly poolSize: number;
  readonly idealMs: number;
  readonly wallMs: Summary;
}

/** What bench/fanout_burst.ts prints in fan-out mode. */
export interface FanoutOutput {
  readonly runtime: Runtime;
  readonly checks: number;
  readonly checkMs: number;
  readonly rows: readonly { readonly poolSize: number; readonly wallMs: readonly number[] }[];
}

/** What bench/fanout_burst.ts prints in burst mode when asked for its stats. */
export interface BurstStats {
  readonly evaluations: number;
  /** The one check's own duration in the evaluation, in ms. */
  readonly checkMs: number;
}

/** Concurrent requests on a cold cache, one fresh server per repetition. */
export interface BurstRow {
  readonly runtime: Runtime;
  readonly requests: number;
  readonly checkDelayMs: number;
  /** Evaluations per repetition; each must be 1. */
  readonly evaluations: readonly number[];
  readonly p99Ms: Summary;
  readonly maxMs: Summary;
  /**
   * p99 of the same burst to a 404 route (no evaluation) on the same warm
   * connections just before: the cost of 500 answers without any check.
   */
  readonly floorP99Ms: Summary;
  /** The evaluation's check duration per repetition. */
  readonly evalMs: Summary;
  /** p99 minus that repetition's evaluation, per repetition. */
  readonly overMs: Summary;
  /** Requests that did not get a 200. */
  readonly failures: number;
}

/** One target, judged on ratios from the same run. */
export interface Target {
  readonly id: string;
  readonly description: string;
  /** What was measured, in words with the numbers. */
  readonly measured: string;
  readonly limit: string;
  readonly met: boolean;
}

/** The machine the run happened on. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly kernel: string;
  readonly pinning: { readonly server: number | null; readonly load: number | null };
}

/** `bench/results/latest.json`. */
export interface Results {
  readonly schema: 1;
  readonly startedAt: string;
  readonly durationS: number;
  readonly mode: "quick" | "full";
  readonly settings: Settings;
  readonly machine: Machine;
  readonly versions: Readonly<Record<string, string>>;
  readonly serve: readonly ServeRow[];
  readonly startup: readonly StartupRow[];
  readonly oneShot: readonly OneShotRow[];
  readonly checkCost: readonly CheckCostRow[];
  readonly fanout: readonly FanoutRow[];
  readonly burst: readonly BurstRow[];
  /** The `vitals probe` section; null when it did not run. */
  readonly probe: ProbeResult | null;
  /** The scale section (`--only scale`: bench/scale.ts); null when it did not run. */
  readonly scale: ScaleResult | null;
  readonly targets: readonly Target[];
  /** Anything that did not go as planned but did not stop the run. */
  readonly notes: readonly string[];
}
