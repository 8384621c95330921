/**
 * Scale: one `vitals serve` in background mode watching N = 100, 1,000 and
 * 5,000 checks (half tcp, half http) against local listeners at a 10 s
 * interval, on each runtime. Measures the CPU per check run and the RSS at
 * each N, against the same two checks run alone at a high rate, and fits how
 * RSS grows per check.
 *
 * `deno run -A bench/scale.ts [--quick] [--runtimes deno,bun,compiled] [--root DIR] [--out FILE]`
 * writes `bench/results/scale.json` and prints a markdown table. The listeners
 * run in a child of this script (`--listen`) pinned to another core; vitals'
 * CPU is read from `/proc` for its own PID only. Every process it starts is
 * stopped by PID, also on failure.
 *
 * @module
 */

import { freePort, memoryKb, Procs, sleep, type Started, waitFor200 } from "./proc.ts";
import { summarize, type Summary } from "./stats.ts";

/** Bytes of results' history each check allocates (`src/engine/history.ts`). */
export const HISTORY_BYTES = 1500;

/** The runtimes a scale run can measure. */
export type ScaleRuntime = "deno" | "bun" | "compiled";

/** What a scale run needs: where things are and how to start each runtime. */
export interface ScaleContext {
  readonly procs: Procs;
  readonly root: string;
  readonly tmp: string;
  readonly quick: boolean;
  readonly runtimes: readonly ScaleRuntime[];
  /** argv prefix that runs vitals (before `serve ...`) per runtime. */
  readonly argv: Readonly<Record<ScaleRuntime, readonly string[]>>;
  log(message: string): void;
}

/** One measured config on one runtime. */
export interface ScaleRow {
  readonly runtime: ScaleRuntime;
  /** `idle` (one check, 1 h interval), `alone` (one tcp + one http at 10 ms) or `N`. */
  readonly label: string;
  readonly checks: number;
  readonly intervalMs: number;
  readonly windowS: number;
  /** Check runs seen by the listeners per second over the window. */
  readonly runsPerS: number;
  /** vitals' CPU (all threads, from schedstat) as % of one core, per sub-window. */
  readonly cpuPct: Summary;
  /** CPU per check run, µs, per sub-window. */
  readonly cpuUsPerRun: Summary;
  /** CPU per run with the idle process's CPU taken out, µs (median sub-window). */
  readonly marginalUsPerRun: number;
  /** utime+stime over the whole window per run, µs (a cross-check of the schedstat figure). */
  readonly statUsPerRun: number;
  /** VmRSS samples over the window, MB. */
  readonly rssMb: Summary;
  /** Runs that ended DOWN over the process's life (from /metrics at the end; should be 0). */
  readonly downRuns: number;
}

/** The analysis of one runtime's rows. */
export interface ScaleFit {
  readonly runtime: ScaleRuntime;
  /** CPU per run at each N over CPU per run alone (median sub-windows). */
  readonly ratioToAlone: Readonly<Record<string, number>>;
  /** The same with the idle process's CPU taken out of both. */
  readonly marginalRatioToAlone: Readonly<Record<string, number>>;
  /** Least-squares RSS slope over the N rows, bytes per check, and that minus the history. */
  readonly rssBytesPerCheck: number;
  readonly rssBytesPerCheckBeyondHistory: number;
  /** RSS slope between 100 and 1,000 checks and between 1,000 and 5,000, bytes per check. */
  readonly rssSlopeLow: number;
  readonly rssSlopeHigh: number;
  /** CPU per run at each N, µs (median sub-window). */
  readonly cpuUsPerRunAt: Readonly<Record<string, number>>;
}

/** Everything a scale run writes. */
export interface ScaleResult {
  readonly date: string;
  readonly quick: boolean;
  readonly loadavgBefore: string;
  readonly loadavgAfter: string;
  readonly poolSize: number;
  readonly rows: readonly ScaleRow[];
  readonly fits: readonly ScaleFit[];
  /** Deno's live heap per step at each N (in-process, after a full GC). */
  readonly heap: readonly HeapRow[];
}

const SIZES = [100, 1000, 5000] as const;
const INTERVAL_MS = 10_000;
const POOL_SIZE = 4;
const TCP_PORTS = 4;
const HTTP_PORTS = 2;

/** Ports of the listener child: tcp accept-and-close, http 200, and its counter. */
interface Listeners {
  readonly tcp: readonly number[];
  readonly http: readonly number[];
  readonly control: number;
}

/** The listener child: serves until killed, prints its ports as one JSON line. */
function listen(): void {
  let tcp = 0;
  let http = 0;
  const tcpPorts: number[] = [];
  for (let i = 0; i < TCP_PORTS; i++) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    tcpPorts.push((listener.addr as Deno.NetAddr).port);
    void (async () => {
      for await (const conn of listener) {
        tcp++;
        try {
          conn.close();
        } catch {
          // Already closed by the check.
        }
      }
    })();
  }
  const serve = (handler: () => Response): number =>
    Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler).addr.port;
  const httpPorts = Array.from({ length: HTTP_PORTS }, () =>
    serve(() => {
      http++;
      return new Response("ok");
    }));
  const control = serve(() => Response.json({ tcp, http }));
  console.log(JSON.stringify({ tcp: tcpPorts, http: httpPorts, control }));
}

/** Live heap per step in one in-process build of N checks (Deno, `--expose-gc`), bytes. */
export interface HeapRow {
  readonly checks: number;
  /** After parsing and validating the config. */
  readonly parse: number;
  /** After building the app (checks, registry, histories). */
  readonly build: number;
  /** After every check ran once (state, views, snapshots). */
  readonly run: number;
  /** RSS growth over the whole, for comparison. */
  readonly rss: number;
}

/**
 * The `--heap FILE` child: builds the app from `FILE` in this process, runs
 * every check once, and prints the live heap after a full GC at each step.
 */
async function heap(file: string): Promise<void> {
  const { createApp } = await import("../src/app/create_app.ts");
  const { loadConfigFile } = await import("../src/config/load.ts");
  const { createLogger } = await import("../src/log.ts");
  const { detectPlatform } = await import("../src/platform/mod.ts");
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run the heap child with --v8-flags=--expose-gc");
  const used = () => {
    gc();
    gc();
    return Deno.memoryUsage().heapUsed;
  };
  const rss0 = Deno.memoryUsage().rss;
  const start = used();
  const platform = detectPlatform();
  const { config } = await loadConfigFile(file, platform);
  const parsed = used();
  const app = createApp(config, { platform, log: createLogger({ level: "quiet" }) });
  const built = used();
  await app.health.start();
  const ran = used();
  app.health.close();
  const row: HeapRow = {
    checks: config.checks.length,
    parse: parsed - start,
    build: built - parsed,
    run: ran - built,
    rss: Deno.memoryUsage().rss - rss0,
  };
  console.log(JSON.stringify(row));
}

/** Runs the heap child for each N and returns its rows. */
async function heapRows(ctx: ScaleContext, ports: Listeners): Promise<HeapRow[]> {
  const rows: HeapRow[] = [];
  for (const checks of SIZES) {
    const file = `${ctx.tmp}/heap-${checks}.json`;
    await Deno.writeTextFile(file, JSON.stringify(scaleConfig(checks, "1h", ports)));
    const self = new URL(import.meta.url).pathname;
    const finished = await ctx.procs.run(`heap-${checks}`, [
      Deno.execPath(),
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      self,
      "--heap",
      file,
    ], "server");
    if (finished.code !== 0) throw new Error(`heap child failed:\n${finished.stderr}`);
    const row = JSON.parse(finished.stdout.trim().split("\n").pop() ?? "") as HeapRow;
    ctx.log(
      `heap ${checks}: parse ${num(row.parse / checks, 0)} B/check, build ` +
        `${num(row.build / checks, 0)}, run ${num(row.run / checks, 0)}, rss ${
          num(row.rss / checks, 0)
        }`,
    );
    rows.push(row);
  }
  return rows;
}

/** The config for `checks` checks at `interval`, half tcp and half http over the listeners. */
export function scaleConfig(checks: number, interval: string, ports: Listeners): unknown {
  return {
    cache: { mode: "background", ttl: interval },
    pool: { size: POOL_SIZE },
    defaults: { timeout: "2s" },
    checks: Array.from(
      { length: checks },
      (_, i) =>
        i % 2 === 0
          ? { name: `tcp-${i}`, type: "tcp", host: "127.0.0.1", port: ports.tcp[i % TCP_PORTS] }
          : {
            name: `http-${i}`,
            type: "http",
            url: `http://127.0.0.1:${ports.http[i % HTTP_PORTS]}/`,
          },
    ),
  };
}

/**
 * CPU time of every thread `pid` has had while watched (schedstat, ns
 * precision), in µs. A thread that ends keeps the time last read for it, so
 * the total never goes back; read often (it is, every 250 ms) to lose little.
 */
class CpuMeter {
  readonly #pid: number;
  readonly #threads = new Map<string, number>();

  constructor(pid: number) {
    this.#pid = pid;
  }

  read(): number {
    for (const task of Deno.readDirSync(`/proc/${this.#pid}/task`)) {
      try {
        const text = Deno.readTextFileSync(`/proc/${this.#pid}/task/${task.name}/schedstat`);
        this.#threads.set(task.name, Number(text.split(" ")[0]));
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    let ns = 0;
    for (const value of this.#threads.values()) ns += value;
    return ns / 1000;
  }
}

/** utime+stime of `pid` in µs (10 ms ticks). */
function statCpuUs(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function counts(control: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${control}/`);
  const body = await response.json() as { tcp: number; http: number };
  return body.tcp + body.http;
}

async function downRuns(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let down = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("vitals_check_runs_total{") && line.includes('result="down"')) {
      down += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return down;
}

interface Plan {
  readonly label: string;
  readonly checks: number;
  readonly interval: string;
  readonly intervalMs: number;
  readonly warmupMs: number;
  readonly subMs: number;
  readonly subs: number;
}

function plans(quick: boolean): Plan[] {
  const short = { warmupMs: 3000, subMs: quick ? 2000 : 3000, subs: quick ? 4 : 6 };
  return [
    { label: "idle", checks: 1, interval: "1h", intervalMs: 3_600_000, ...short },
    { label: "alone", checks: 2, interval: "10ms", intervalMs: 10, ...short },
    ...SIZES.map((checks) => ({
      label: String(checks),
      checks,
      interval: "10s",
      intervalMs: INTERVAL_MS,
      // The loops fire together one interval after the first evaluation; start
      // half an interval after one such burst so each sub-window holds one.
      warmupMs: 15_000,
      subMs: INTERVAL_MS,
      subs: quick ? 2 : 5,
    })),
  ];
}

async function measure(
  ctx: ScaleContext,
  runtime: ScaleRuntime,
  plan: Plan,
  ports: Listeners,
  idleCpuPct: number,
): Promise<ScaleRow> {
  const file = `${ctx.tmp}/scale-${runtime}-${plan.label}.json`;
  await Deno.writeTextFile(file, JSON.stringify(scaleConfig(plan.checks, plan.interval, ports)));
  const port = freePort();
  const argv = [
    ...ctx.argv[runtime],
    "serve",
    "--config",
    file,
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
  ];
  const started: Started = ctx.procs.start(`vitals-${runtime}-${plan.label}`, argv, {
    side: "server",
    cwd: ctx.root,
  });
  try {
    await waitFor200(`http://127.0.0.1:${port}/health/simple`, started, 120_000);
    await sleep(plan.warmupMs);
    const pid = started.pid;
    const meter = new CpuMeter(pid);
    const cpu: number[] = [meter.read()];
    const runs: number[] = [await counts(ports.control)];
    const stat0 = statCpuUs(pid);
    const rss: number[] = [];
    const t0 = performance.now();
    for (let k = 1; k <= plan.subs; k++) {
      const end = t0 + k * plan.subMs;
      while (performance.now() < end - 250) {
        rss.push(memoryKb(pid).rss / 1024);
        meter.read();
        await sleep(Math.max(0, Math.min(250, end - 250 - performance.now())));
      }
      await sleep(Math.max(0, end - performance.now()));
      cpu.push(meter.read());
      runs.push(await counts(ports.control));
    }
    const stat1 = statCpuUs(pid);
    rss.push(memoryKb(pid).rss / 1024);
    const seconds = (performance.now() - t0) / 1000;
    const subCpu = cpu.slice(1).map((c, k) => c - cpu[k]!);
    const subRuns = runs.slice(1).map((r, k) => r - runs[k]!);
    const totalRuns = runs[runs.length - 1]! - runs[0]!;
    const cpuPct = summarize(subCpu.map((c) => (c / (plan.subMs * 1000)) * 100));
    const cpuUsPerRun = summarize(subCpu.map((c, k) => subRuns[k]! > 0 ? c / subRuns[k]! : NaN));
    const idleUs = (idleCpuPct / 100) * plan.subMs * 1000;
    const marginal = summarize(
      subCpu.map((c, k) => subRuns[k]! > 0 ? (c - idleUs) / subRuns[k]! : NaN),
    ).median;
    const row: ScaleRow = {
      runtime,
      label: plan.label,
      checks: plan.checks,
      intervalMs: plan.intervalMs,
      windowS: Math.round(seconds * 10) / 10,
      runsPerS: totalRuns / seconds,
      cpuPct,
      cpuUsPerRun,
      marginalUsPerRun: marginal,
      statUsPerRun: totalRuns > 0 ? (stat1 - stat0) / totalRuns : NaN,
      rssMb: summarize(rss),
      downRuns: await downRuns(port),
    };
    ctx.log(
      `${runtime} ${plan.label}: ${row.runsPerS.toFixed(0)} runs/s, ` +
        `${row.cpuUsPerRun.median.toFixed(1)} µs/run, cpu ${row.cpuPct.median.toFixed(2)}%, ` +
        `rss ${row.rssMb.median.toFixed(1)} MB, down ${row.downRuns}`,
    );
    return row;
  } finally {
    await ctx.procs.stop(started);
  }
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/** The fits of one runtime's rows. */
export function fit(runtime: ScaleRuntime, rows: readonly ScaleRow[]): ScaleFit {
  const mine = rows.filter((row) => row.runtime === runtime);
  const alone = mine.find((row) => row.label === "alone");
  const sized = SIZES.map((n) => mine.find((row) => row.label === String(n)));
  const present = sized.filter((row): row is ScaleRow => row !== undefined);
  const bytes = (row: ScaleRow | undefined) => (row?.rssMb.median ?? NaN) * 1024 * 1024;
  const perCheck = slope(present.map((row) => row.checks), present.map(bytes));
  const between = (a: ScaleRow | undefined, b: ScaleRow | undefined) =>
    a && b ? (bytes(b) - bytes(a)) / (b.checks - a.checks) : NaN;
  const by = (f: (row: ScaleRow) => number) =>
    Object.fromEntries(present.map((row) => [row.label, f(row)]));
  return {
    runtime,
    ratioToAlone: by((row) => row.cpuUsPerRun.median / (alone?.cpuUsPerRun.median ?? NaN)),
    marginalRatioToAlone: by((row) => row.marginalUsPerRun / (alone?.marginalUsPerRun ?? NaN)),
    rssBytesPerCheck: perCheck,
    rssBytesPerCheckBeyondHistory: perCheck - HISTORY_BYTES,
    rssSlopeLow: between(sized[0], sized[1]),
    rssSlopeHigh: between(sized[1], sized[2]),
    cpuUsPerRunAt: by((row) => row.cpuUsPerRun.median),
  };
}

const num = (value: number, digits = 1) =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    })
    : "–";
const range = (s: Summary, digits = 1) =>
  `${num(s.median, digits)} (${num(s.min, digits)}–${num(s.max, digits)})`;

/** The result as markdown: one row per config, then one line per runtime's fit. */
export function renderScale(result: ScaleResult): string {
  const lines = [
    "| Runtime | checks | interval | runs/s | CPU % of a core | µs CPU per run | minus idle | × alone | utime+stime µs/run | RSS MB |",
    "| ------- | ------ | -------- | ------ | --------------- | -------------- | ---------- | ------- | ------------------ | ------ |",
  ];
  for (const row of result.rows) {
    const f = result.fits.find((fit) => fit.runtime === row.runtime);
    const ratio = f?.ratioToAlone[row.label];
    const checks = row.label === "idle" || row.label === "alone"
      ? `${row.checks} (${row.label})`
      : row.checks.toLocaleString("en-US");
    const interval = row.intervalMs >= 3_600_000 ? "1 h" : `${row.intervalMs / 1000} s`;
    lines.push(
      `| ${row.runtime} | ${checks} | ${interval} | ${num(row.runsPerS, 0)} | ` +
        `${range(row.cpuPct, 2)} | ${range(row.cpuUsPerRun)} | ${num(row.marginalUsPerRun)} | ` +
        `${ratio === undefined ? "" : `${num(ratio, 2)}×`} | ${num(row.statUsPerRun)} | ` +
        `${range(row.rssMb)} |`,
    );
  }
  lines.push("");
  for (const f of result.fits) {
    lines.push(
      `- ${f.runtime}: RSS ${num(f.rssBytesPerCheck, 0)} bytes per check ` +
        `(${num(f.rssBytesPerCheckBeyondHistory, 0)} beyond the 1,500 of history); ` +
        `100→1,000: ${num(f.rssSlopeLow, 0)} B/check, 1,000→5,000: ${
          num(f.rssSlopeHigh, 0)
        } B/check; ` +
        `CPU per run at 5,000 = ${num(f.ratioToAlone["5000"] ?? NaN, 2)}× alone ` +
        `(${num(f.marginalRatioToAlone["5000"] ?? NaN, 2)}× without idle CPU)`,
    );
  }
  if (result.heap.length > 1) {
    const xs = result.heap.map((row) => row.checks);
    const per = (f: (row: HeapRow) => number) => slope(xs, result.heap.map(f));
    const engine = per((row) => row.build + row.run);
    lines.push(
      `- deno live heap per check (in-process, after a full GC, slope over N): config ` +
        `${num(per((row) => row.parse), 0)} B, checks and registry ${
          num(per((row) => row.build), 0)
        } B, ` +
        `after one run ${num(per((row) => row.run), 0)} B; engine total ${num(engine, 0)} B = ` +
        `${num(engine - HISTORY_BYTES, 0)} B beyond the history; RSS ${
          num(per((row) => row.rss), 0)
        } B`,
    );
  }
  return lines.join("\n");
}

/**
 * Runs the scale section: starts the listeners, measures each runtime's rows
 * (idle, alone, then N = 100, 1,000, 5,000) and fits them. Stops what it
 * started; the caller's {@link Procs.stopAll} is the backstop on failure.
 */
export async function runScale(ctx: ScaleContext): Promise<ScaleResult> {
  const loadavgBefore = Deno.readTextFileSync("/proc/loadavg").trim();
  const listener = ctx.procs.start(
    "scale-listeners",
    [Deno.execPath(), "run", "-A", new URL(import.meta.url).pathname, "--listen"],
    { side: "load", cwd: ctx.root },
  );
  const rows: ScaleRow[] = [];
  let heap: HeapRow[] = [];
  try {
    const line = await listener.nextLine();
    if (line === "") throw new Error(`scale listeners did not start:\n${listener.stderrTail()}`);
    const ports = JSON.parse(line) as Listeners;
    heap = await heapRows(ctx, ports);
    for (const runtime of ctx.runtimes) {
      let idle = 0;
      for (const plan of plans(ctx.quick)) {
        const row = await measure(ctx, runtime, plan, ports, idle);
        if (plan.label === "idle") idle = row.cpuPct.median;
        rows.push(row);
      }
    }
  } finally {
    await ctx.procs.stop(listener);
  }
  return {
    date: new Date().toISOString(),
    quick: ctx.quick,
    loadavgBefore,
    loadavgAfter: Deno.readTextFileSync("/proc/loadavg").trim(),
    poolSize: POOL_SIZE,
    rows,
    fits: ctx.runtimes.map((runtime) => fit(runtime, rows)),
    heap,
  };
}

async function findBun(procs: Procs): Promise<string> {
  const fromEnv = Deno.env.get("VITALS_BENCH_BUN");
  if (fromEnv) return fromEnv;
  const finished = await procs.run("npx bun", [
    "npx",
    "-y",
    "bun@1.4.4",
    "-e",
    "console.log(process.execPath)",
  ], "none");
  const path = finished.stdout.trim().split("\n").pop() ?? "";
  if (finished.code !== 0 || path === "") throw new Error(`cannot find Bun:\n${finished.stderr}`);
  return path;
}

async function main(args: readonly string[]): Promise<void> {
  const quick = args.includes("--quick");
  const only = args[args.indexOf("--runtimes") + 1];
  const runtimes =
    (args.includes("--runtimes") && only
      ? only.split(",")
      : quick
      ? ["deno", "bun"]
      : ["deno", "bun", "compiled"]) as ScaleRuntime[];
  const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  // --root DIR measures another checkout (a "before" copy); results still go here.
  const root = args.includes("--root") ? args[args.indexOf("--root") + 1] ?? here : here;
  const cores = navigator.hardwareConcurrency;
  const procs = new Procs(
    cores >= 2 ? { server: 0, load: 1 } : { server: undefined, load: undefined },
  );
  const tmp = await Deno.makeTempDir({ prefix: "vitals-scale-" });
  const stopAll = () => void procs.stopAll().then(() => Deno.exit(130));
  Deno.addSignalListener("SIGINT", stopAll);
  try {
    const bun = await findBun(procs);
    const binary = `${root}/dist/bench/vitals-scale`;
    if (runtimes.includes("compiled")) {
      console.error("building dist/bench/vitals-scale (bun build --compile --minify)");
      const built = await procs.run("build", [
        bun,
        "build",
        "--compile",
        "--minify",
        `${root}/main.ts`,
        "--outfile",
        binary,
      ], "none");
      if (built.code !== 0) throw new Error(`bun build failed:\n${built.stderr}`);
    }
    const result = await runScale({
      procs,
      root,
      tmp,
      quick,
      runtimes,
      argv: {
        deno: [Deno.execPath(), "run", "-A", "main.ts"],
        bun: [bun, "main.ts"],
        compiled: [binary],
      },
      log: (message) => console.error(message),
    });
    const out = args.includes("--out")
      ? args[args.indexOf("--out") + 1] ?? `${here}/bench/results/scale.json`
      : `${here}/bench/results/scale.json`;
    await Deno.writeTextFile(out, JSON.stringify(result, null, 2) + "\n");
    console.log(renderScale(result));
    console.error(`wrote ${out}`);
  } finally {
    await procs.stopAll();
    Deno.removeSignalListener("SIGINT", stopAll);
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  if (Deno.args.includes("--listen")) listen();
  else if (Deno.args.includes("--heap")) await heap(Deno.args[Deno.args.indexOf("--heap") + 1]!);
  else await main(Deno.args);
}
