/**
 * Section 1, serving from cache: wrk against vitals (Deno, Bun, compiled) with a
 * warm one-check cache, and against the baselines (bare Deno.serve, bare
 * Bun.serve, the compiled bare Bun server, nginx) in the same run. All servers
 * run at once on the server core; repetitions go round-robin, so drift on a
 * noisy machine spreads over every server instead of favouring one.
 *
 * @module
 */

import { startNginx } from "./nginx.ts";
import {
  busyShare,
  coreTimes,
  cpuMicros,
  freePort,
  memoryKb,
  resetPeak,
  sleep,
  type Started,
  vitalsServeArgs,
  waitFor200,
} from "./proc.ts";
import { summarize } from "./stats.ts";
import type { Context, ServeRow } from "./types.ts";

/** One wrk run's figures. */
export interface WrkResult {
  readonly requests: number;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function durationMs(text: string): number {
  const match = text.match(/^([\d.]+)(us|ms|s|m)$/);
  if (!match) return Number.NaN;
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** Reads the figures out of `wrk --latency` output. */
export function parseWrk(output: string): WrkResult {
  const number = (pattern: RegExp) => {
    const match = output.match(pattern);
    return match ? Number(match[1]) : Number.NaN;
  };
  const percentile = (p: number) => {
    const match = output.match(new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m"));
    return match ? durationMs(match[1]!) : Number.NaN;
  };
  const socket = output.match(
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/,
  );
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const non2xx = number(/Non-2xx or 3xx responses: (\d+)/);
  const result = {
    requests: number(/(\d+) requests in /),
    reqPerSec: number(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: percentile(50),
    p99Ms: percentile(99),
    errors: socketErrors + (Number.isNaN(non2xx) ? 0 : non2xx),
  };
  if (!(result.requests > 0) || Number.isNaN(result.reqPerSec)) {
    throw new Error(`cannot read wrk output:\n${output}`);
  }
  return result;
}

/** A server under test and how to start it on a port. */
interface ServerSpec {
  readonly id: string;
  readonly program: ServeRow["program"];
  readonly runtime: ServeRow["runtime"];
  readonly paths: readonly string[];
  readonly baseline?: string;
  readonly argv?: (port: number) => string[];
}

interface Running {
  readonly spec: ServerSpec;
  readonly port: number;
  readonly started: Started;
  /** The process that serves (the nginx worker; otherwise the started process). */
  readonly pid: number;
}

interface Unit {
  readonly running: Running;
  readonly path: string;
  readonly id: string;
}

/** The one-check, warm-cache config the serving and start-up sections use. */
export async function writeServeConfig(tmp: string): Promise<string> {
  const file = `${tmp}/serve.json`;
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      cache: { ttl: "1h" },
      pool: { size: 1 },
      checks: [{ name: "true", type: "command", command: ["/bin/true"] }],
    }),
  );
  return file;
}

function specs(ctx: Context, config: string): ServerSpec[] {
  const { deno, bun, vitalsBin, bareBunBin } = ctx.programs;
  const vitalsArgs = (port: number) => vitalsServeArgs(config, port);
  const paths = ["/health/simple", "/health"];
  // Each vitals server next to its baseline, so the pairs run close together in time.
  return [
    {
      id: "vitals-deno",
      program: "vitals",
      runtime: "deno",
      paths,
      baseline: "bare-deno",
      argv: (port) => [deno, "run", "-A", "main.ts", ...vitalsArgs(port)],
    },
    {
      id: "bare-deno",
      program: "bare",
      runtime: "deno",
      paths: ["/"],
      argv: (port) => [deno, "run", "-A", "bench/bare_deno.ts", "--port", String(port)],
    },
    {
      id: "bare-deno-read",
      program: "bare",
      runtime: "deno",
      paths: ["/"],
      argv: (port) => [deno, "run", "-A", "bench/bare_deno.ts", "--port", String(port), "--read"],
    },
    {
      id: "vitals-bun",
      program: "vitals",
      runtime: "bun",
      paths,
      baseline: "bare-bun",
      argv: (port) => [bun, "main.ts", ...vitalsArgs(port)],
    },
    {
      id: "bare-bun",
      program: "bare",
      runtime: "bun",
      paths: ["/"],
      argv: (port) => [bun, "bench/bare_bun.ts", "--port", String(port)],
    },
    {
      id: "bare-bun-read",
      program: "bare",
      runtime: "bun",
      paths: ["/"],
      argv: (port) => [bun, "bench/bare_bun.ts", "--port", String(port), "--read"],
    },
    {
      id: "vitals-compiled",
      program: "vitals",
      runtime: "compiled",
      paths,
      baseline: "bare-compiled",
      argv: (port) => [vitalsBin, ...vitalsArgs(port)],
    },
    {
      id: "bare-compiled",
      program: "bare",
      runtime: "compiled",
      paths: ["/"],
      argv: (port) => [bareBunBin, "--port", String(port)],
    },
    { id: "nginx", program: "nginx", runtime: "nginx", paths: ["/"] },
  ];
}

async function startServer(ctx: Context, spec: ServerSpec): Promise<Running> {
  const port = freePort();
  if (!spec.argv) {
    const nginx = await startNginx(ctx.procs, ctx.tmp, "nginx-serve", port, "server");
    return { spec, port, started: nginx.master, pid: nginx.workerPid };
  }
  const started = ctx.procs.start(spec.id, spec.argv(port), { side: "server", cwd: ctx.root });
  await waitFor200(`http://127.0.0.1:${port}${spec.paths[0]}`, started);
  return { spec, port, started, pid: started.pid };
}

async function bodyBytes(url: string): Promise<number> {
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return body.byteLength;
}

async function wrk(ctx: Context, url: string, seconds: number): Promise<WrkResult> {
  const { threads, connections } = ctx.settings.wrk;
  const finished = await ctx.procs.run("wrk", [
    "wrk",
    `-t${threads}`,
    `-c${connections}`,
    `-d${seconds}s`,
    "--latency",
    url,
  ], "load");
  if (finished.code !== 0) throw new Error(`wrk failed (${finished.code}): ${finished.stderr}`);
  return parseWrk(finished.stdout);
}

interface Samples {
  serverBusy: number[];
  loadBusy: number[];
  reqPerSec: number[];
  p50Ms: number[];
  p99Ms: number[];
  cpuUsPerReq: number[];
  peakRssMb: number[];
  errors: number;
}

/** Runs section 1 and returns one row per server and path. */
export async function runServeLoad(ctx: Context, config: string): Promise<ServeRow[]> {
  const { reps, wrk: wrkSettings } = ctx.settings;
  const running: Running[] = [];
  try {
    for (const spec of specs(ctx, config)) {
      ctx.log(`  starting ${spec.id}`);
      running.push(await startServer(ctx, spec));
    }
    const units: Unit[] = running.flatMap((server) =>
      server.spec.paths.map((path) => ({
        running: server,
        path,
        id: `${server.spec.id} ${path}`,
      }))
    );
    const bytes = new Map<Unit, number>();
    for (const unit of units) {
      bytes.set(unit, await bodyBytes(`http://127.0.0.1:${unit.running.port}${unit.path}`));
    }
    await sleep(ctx.settings.quick ? 300 : 1000);
    const idle = new Map(running.map((server) => [server, memoryKb(server.pid).rss / 1024]));
    for (const unit of units) {
      ctx.log(`  warm-up ${unit.id} (${wrkSettings.warmupS} s)`);
      await wrk(ctx, `http://127.0.0.1:${unit.running.port}${unit.path}`, wrkSettings.warmupS);
    }
    const samples = new Map<Unit, Samples>(units.map((unit) => [unit, {
      serverBusy: [],
      loadBusy: [],
      reqPerSec: [],
      p50Ms: [],
      p99Ms: [],
      cpuUsPerReq: [],
      peakRssMb: [],
      errors: 0,
    }]));
    for (let rep = 0; rep < reps; rep++) {
      // Rotate the order each repetition.
      const order = units.map((_, i) => units[(i + rep) % units.length]!);
      for (const unit of order) {
        const pid = unit.running.pid;
        resetPeak(pid);
        const cpuBefore = cpuMicros(pid);
        const serverBefore = coreTimes(ctx.cores.server);
        const loadBefore = coreTimes(ctx.cores.load);
        const result = await wrk(
          ctx,
          `http://127.0.0.1:${unit.running.port}${unit.path}`,
          wrkSettings.durationS,
        );
        const cpu = cpuMicros(pid) - cpuBefore;
        const s = samples.get(unit)!;
        s.serverBusy.push(100 * busyShare(serverBefore, coreTimes(ctx.cores.server)));
        s.loadBusy.push(100 * busyShare(loadBefore, coreTimes(ctx.cores.load)));
        s.reqPerSec.push(result.reqPerSec);
        s.p50Ms.push(result.p50Ms);
        s.p99Ms.push(result.p99Ms);
        s.cpuUsPerReq.push(cpu / result.requests);
        s.peakRssMb.push(memoryKb(pid).peak / 1024);
        s.errors += result.errors;
        ctx.log(
          `  rep ${rep + 1}/${reps} ${unit.id}: ${Math.round(result.reqPerSec)} req/s, ` +
            `p99 ${result.p99Ms.toFixed(2)} ms`,
        );
      }
    }
    return units.map((unit) => {
      const s = samples.get(unit)!;
      const spec = unit.running.spec;
      return {
        id: unit.id,
        program: spec.program,
        runtime: spec.runtime,
        path: unit.path,
        ...(spec.baseline ? { baseline: `${spec.baseline} /` } : {}),
        bodyBytes: bytes.get(unit)!,
        reqPerSec: summarize(s.reqPerSec),
        p50Ms: summarize(s.p50Ms),
        p99Ms: summarize(s.p99Ms),
        cpuUsPerReq: summarize(s.cpuUsPerReq),
        peakRssMb: summarize(s.peakRssMb),
        serverCoreBusyPct: summarize(s.serverBusy),
        loadCoreBusyPct: summarize(s.loadBusy),
        idleRssMb: idle.get(unit.running)!,
        errors: s.errors,
      };
    });
  } finally {
    for (const server of running.reverse()) await ctx.procs.stop(server.started);
  }
}
