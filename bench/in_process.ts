/**
 * Drives the in-process sections from the runner: check cost (section 3),
 * fan-out (section 4) and the burst at expiry (section 5). The measured scripts
 * run on the server core under each runtime; their targets (nginx, the delay
 * server) and the burst's client (this runner) run on the load core.
 *
 * @module
 */

import { BurstClient } from "./http_burst.ts";
import { startNginx } from "./nginx.ts";
import { freePort, type Procs } from "./proc.ts";
import { quantile, summarize } from "./stats.ts";
import type {
  BurstRow,
  BurstStats,
  CheckCostOutput,
  CheckCostRow,
  Context,
  FanoutOutput,
  FanoutRow,
  Runtime,
} from "./types.ts";

const RUNTIMES: readonly Runtime[] = ["deno", "bun"];

/** The command that runs a bench script on `runtime`. */
function scriptArgv(ctx: Context, runtime: Runtime, script: string): string[] {
  return runtime === "deno" ? [ctx.programs.deno, "run", "-A", script] : [ctx.programs.bun, script];
}

/** Runs a script to completion on the server core and parses the JSON it prints last. */
async function runScript<T>(ctx: Context, runtime: Runtime, argv: string[]): Promise<T> {
  const finished = await ctx.procs.run(
    argv.join(" "),
    [...scriptArgv(ctx, runtime, argv[0]!), ...argv.slice(1)],
    "server",
  );
  const lines = finished.stdout.trim().split("\n");
  if (finished.code !== 0 || lines.length === 0) {
    throw new Error(`${argv[0]} on ${runtime} failed (${finished.code}):\n${finished.stderr}`);
  }
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/** Section 3 on each runtime, against a private nginx on the load core. */
export async function runCheckCost(ctx: Context): Promise<CheckCostRow[]> {
  const nginx = await startNginx(ctx.procs, ctx.tmp, "nginx-target", freePort(), "load");
  try {
    const rows: CheckCostRow[] = [];
    for (const runtime of RUNTIMES) {
      ctx.log(`  check cost on ${runtime}`);
      const output = await runScript<CheckCostOutput>(ctx, runtime, [
        "bench/check_cost.ts",
        "--host",
        "127.0.0.1",
        "--port",
        String(nginx.port),
        "--per-sample",
        String(ctx.settings.checksPerSample),
        "--reps",
        String(ctx.settings.reps),
      ]);
      for (const row of output.rows) {
        rows.push({
          runtime,
          kind: row.kind,
          n: row.n,
          poolSize: row.poolSize,
          vitalsUs: summarize(row.vitalsUs),
          rawUs: summarize(row.rawUs),
          vitalsCpuUs: summarize(row.vitalsCpuUs),
          rawCpuUs: summarize(row.rawCpuUs),
        });
      }
    }
    return rows;
  } finally {
    await ctx.procs.stop(nginx.master);
  }
}

/** Starts bench/delay_server.ts on the load core; returns its base URL. */
async function startDelayServer(ctx: Context) {
  const started = ctx.procs.start("delay server", [
    ctx.programs.deno,
    "run",
    "-A",
    "bench/delay_server.ts",
  ], { side: "load", cwd: ctx.root });
  const line = await started.nextLine();
  const port = (JSON.parse(line || "{}") as { port?: number }).port;
  if (port === undefined) throw new Error(`delay server did not start:\n${started.stderrTail()}`);
  return { started, url: `http://127.0.0.1:${port}/` };
}

/** Checks and their delay in the fan-out section. */
const FANOUT_CHECKS = 50;
const FANOUT_MS = 100;
const FANOUT_SIZES = [1, 10, 50];

/** Concurrent requests and the check's delay in the burst section. */
const BURST_REQUESTS = 500;
const BURST_MS = 50;

/** Sections 4 and 5 on each runtime, sharing one delay server. */
export async function runFanoutBurst(
  ctx: Context,
): Promise<{ fanout: FanoutRow[]; burst: BurstRow[] }> {
  const delay = await startDelayServer(ctx);
  try {
    const fanout: FanoutRow[] = [];
    for (const runtime of ctx.settings.fanoutRuntimes) {
      ctx.log(`  fan-out on ${runtime}`);
      const output = await runScript<FanoutOutput>(ctx, runtime, [
        "bench/fanout_burst.ts",
        "fanout",
        "--url",
        delay.url,
        "--checks",
        String(FANOUT_CHECKS),
        "--ms",
        String(FANOUT_MS),
        "--sizes",
        FANOUT_SIZES.join(","),
        "--reps",
        String(ctx.settings.reps),
      ]);
      for (const row of output.rows) {
        fanout.push({
          runtime,
          checks: output.checks,
          checkMs: output.checkMs,
          poolSize: row.poolSize,
          idealMs: (output.checks * output.checkMs) / row.poolSize,
          wallMs: summarize(row.wallMs),
        });
      }
    }
    const burst: BurstRow[] = [];
    for (const runtime of RUNTIMES) {
      ctx.log(`  burst on ${runtime}`);
      burst.push(await runBurst(ctx, runtime, delay.url));
    }
    return { fanout, burst };
  } finally {
    await ctx.procs.stop(delay.started);
  }
}

async function runBurst(ctx: Context, runtime: Runtime, delayUrl: string): Promise<BurstRow> {
  const config = `${ctx.tmp}/burst.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      cache: { ttl: "1h" },
      pool: { size: 1 },
      checks: [{ name: "slow", type: "http", url: `${delayUrl}?ms=${BURST_MS}` }],
    }),
  );
  const evaluations: number[] = [];
  const p99: number[] = [];
  const max: number[] = [];
  const floor: number[] = [];
  const evalMs: number[] = [];
  const over: number[] = [];
  let failures = 0;
  for (let rep = 0; rep < ctx.settings.reps; rep++) {
    const one = await burstOnce(ctx.procs, [
      ...scriptArgv(ctx, runtime, "bench/fanout_burst.ts"),
      "burst",
      "--config",
      config,
    ], ctx.root);
    evaluations.push(one.stats.evaluations);
    p99.push(one.p99);
    max.push(one.max);
    floor.push(one.floorP99);
    evalMs.push(one.stats.checkMs);
    over.push(one.p99 - one.stats.checkMs);
    failures += one.failures;
  }
  return {
    runtime,
    requests: BURST_REQUESTS,
    checkDelayMs: BURST_MS,
    evaluations,
    p99Ms: summarize(p99),
    maxMs: summarize(max),
    floorP99Ms: summarize(floor),
    evalMs: summarize(evalMs),
    overMs: summarize(over),
    failures,
  };
}

/** Starts a fresh burst server, bursts it from this process, reads its stats, stops it. */
async function burstOnce(procs: Procs, argv: string[], cwd: string) {
  const started = procs.start("burst server", argv, { side: "server", cwd, stdin: true });
  let client: BurstClient | undefined;
  try {
    const line = await started.nextLine();
    const port = (JSON.parse(line || "{}") as { port?: number }).port;
    if (port === undefined) throw new Error(`burst server did not start:\n${started.stderrTail()}`);
    client = await BurstClient.open(port, BURST_REQUESTS);
    // Warm the connections and both HTTP stacks on a route that runs no check
    // (404); the second round is the floor: 500 answers with no evaluation.
    await client.burst("/bench-warm-up");
    const floor = await client.burst("/bench-warm-up");
    const answers = await client.burst("/health");
    const stats = await askStats(started.child, () => started.nextLine());
    const sorted = answers.map((a) => a.ms).sort((a, b) => a - b);
    return {
      p99: quantile(sorted, 0.99),
      max: sorted[sorted.length - 1]!,
      floorP99: quantile(floor.map((a) => a.ms).sort((a, b) => a - b), 0.99),
      failures: answers.filter((a) => a.status !== 200).length +
        floor.filter((a) => a.status !== 404).length,
      stats,
    };
  } finally {
    client?.close();
    await started.child.stdin.close().catch(() => {});
    await procs.stop(started);
  }
}

async function askStats(
  child: Deno.ChildProcess,
  nextLine: () => Promise<string>,
): Promise<BurstStats> {
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("stats\n"));
  writer.releaseLock();
  return JSON.parse(await nextLine()) as BurstStats;
}
