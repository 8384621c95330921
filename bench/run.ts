/**
 * The benchmark runner: `deno task bench` (full, about 8 minutes) or
 * `deno task bench --quick` (under 2 minutes, noisier). Checks its tools,
 * builds the compiled binaries, runs every section on 127.0.0.1 with the server
 * and the load generator pinned to different cores, then writes
 * `bench/results/latest.json` and the generated section of BENCHMARKS.md.
 *
 * Every process it starts is stopped by PID when it is done with it, and again
 * on failure or Ctrl-C.
 *
 * @module
 */

import { runCheckCost, runFanoutBurst } from "./in_process.ts";
import { onPath, type Pinning, Procs } from "./proc.ts";
import { renderSection, updateMarkdown, writeJson } from "./report.ts";
import { runProbe, VITALS_BUILD_FLAGS } from "./probe.ts";
import { renderScale, runScale, type ScaleResult } from "./scale.ts";
import { runServeLoad, writeServeConfig } from "./serve_load.ts";
import { runFirstAnswer, runOneShot } from "./startup.ts";
import { judge } from "./targets.ts";
import type {
  BurstRow,
  CheckCostRow,
  Context,
  FanoutRow,
  Machine,
  OneShotRow,
  ProbeResult,
  Programs,
  Results,
  ServeRow,
  Settings,
  StartupRow,
} from "./types.ts";

const SECTIONS = ["serve", "startup", "cost", "fanout", "probe", "scale"] as const;
/** Sections run only when `--only` names them: scale alone takes 14 minutes. */
const OPT_IN: readonly string[] = ["scale"];
type Section = typeof SECTIONS[number];

const USAGE = `usage: deno task bench [--quick] [--only serve,startup,cost,fanout,probe,scale]

  --quick   3 repetitions, 1 s wrk runs: under 2 minutes, for checking the runner
  --only    run some sections; results go to bench/results/partial.json, and
            latest.json and BENCHMARKS.md are left alone (as after a failed section);
            scale (100 to 5,000 checks, about 14 minutes) runs only when named here
`;

/** The Bun the runner uses, as `npx` installs it. */
const BUN_PACKAGE = "bun@1.4.4";

function settingsFor(quick: boolean): Settings {
  return quick
    ? {
      quick,
      reps: 3,
      wrk: { threads: 1, connections: 50, durationS: 1, warmupS: 1 },
      startupRuns: 5,
      hyperfine: { warmup: 2, runs: 10 },
      probeRuns: 10,
      checksPerSample: 100,
      fanoutRuntimes: ["deno"],
    }
    : {
      quick,
      reps: 5,
      wrk: { threads: 1, connections: 50, durationS: 5, warmupS: 2 },
      startupRuns: 20,
      hyperfine: { warmup: 3, runs: 20 },
      probeRuns: 30,
      checksPerSample: 400,
      fanoutRuntimes: ["deno", "bun"],
    };
}

/** Tools the runner needs (given the cores and the sections it runs) and the Debian package of each. */
const TOOLS: readonly {
  program: string;
  apt: string;
  needed: (cores: number, runs: (section: Section) => boolean) => boolean;
}[] = [
  { program: "wrk", apt: "wrk", needed: (_, runs) => runs("serve") },
  { program: "nginx", apt: "nginx", needed: (_, runs) => runs("serve") || runs("cost") },
  { program: "hyperfine", apt: "hyperfine", needed: (_, runs) => runs("startup") || runs("probe") },
  { program: "taskset", apt: "util-linux", needed: (cores) => cores >= 2 },
  { program: "getconf", apt: "libc-bin", needed: () => true },
];

function missingTools(cores: number, runs: (section: Section) => boolean): string[] {
  return TOOLS.filter((tool) => tool.needed(cores, runs) && !onPath(tool.program))
    .map((tool) => `${tool.program} (apt-get install -y ${tool.apt})`);
}

function text(output: Uint8Array): string {
  return new TextDecoder().decode(output).trim();
}

/** Runs a short command directly (not pinned) and returns stdout + stderr. */
function quick(program: string, args: string[]): string {
  try {
    const out = new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).outputSync();
    return `${text(out.stdout)}\n${text(out.stderr)}`.trim();
  } catch {
    return "";
  }
}

/** The CPUs this process may run on (`Cpus_allowed_list`), in order. */
function allowedCpus(): number[] {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const list = status.match(/^Cpus_allowed_list:\s*(\S+)/m)?.[1] ?? "";
    return list.split(",").flatMap((part) => {
      const [from, to] = part.split("-").map(Number);
      if (from === undefined || Number.isNaN(from)) return [];
      const last = to === undefined || Number.isNaN(to) ? from : to;
      return Array.from({ length: last - from + 1 }, (_, i) => from + i);
    });
  } catch {
    return [];
  }
}

function machine(count: number, pinning: Pinning): Machine {
  const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  const meminfo = Deno.readTextFileSync("/proc/meminfo");
  const memKb = Number(meminfo.match(/^MemTotal:\s+(\d+)/m)?.[1] ?? Number.NaN);
  return {
    cpu: cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? "unknown CPU",
    cores: count,
    memoryGb: memKb / 1024 / 1024,
    kernel: Deno.osRelease(),
    pinning: { server: pinning.server ?? null, load: pinning.load ?? null },
  };
}

/** The 1, 5 and 15 minute load averages: above 0 means other work shared the cores. */
function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(", ");
  } catch {
    return "unknown";
  }
}

function versions(bun: string): Record<string, string> {
  const first = (output: string, pattern: RegExp) => output.match(pattern)?.[1] ?? "unknown";
  return {
    deno: Deno.version.deno,
    bun: quick(bun, ["--version"]) || "unknown",
    nginx: first(quick("nginx", ["-v"]), /nginx\/(\S+)/),
    wrk: first(quick("wrk", ["-v"]), /wrk (\S+)/),
    hyperfine: first(quick("hyperfine", ["--version"]), /hyperfine (\S+)/),
  };
}

/** Finds the real Bun executable (not the npx wrapper), so PIDs are the runtime's own. */
async function findBun(procs: Procs): Promise<string> {
  const fromEnv = Deno.env.get("VITALS_BENCH_BUN");
  if (fromEnv) return fromEnv;
  const finished = await procs.run("npx bun", [
    "npx",
    "-y",
    BUN_PACKAGE,
    "-e",
    "console.log(process.execPath)",
  ], "none");
  const path = finished.stdout.trim().split("\n").pop() ?? "";
  if (finished.code !== 0 || path === "") {
    throw new Error(`cannot run ${BUN_PACKAGE} through npx:\n${finished.stderr}`);
  }
  return path;
}

/**
 * How each program is built: vitals as `deno task compile:bun` builds it (less
 * the source map), with its config worker; the baselines minified too.
 */
const BUILDS: Record<string, readonly string[]> = {
  "main.ts": [...VITALS_BUILD_FLAGS, "main.ts", "src/config/_load_worker.ts"],
};

async function build(procs: Procs, bun: string, entry: string, out: string): Promise<void> {
  const args = BUILDS[entry] ?? ["--compile", "--minify", entry];
  const finished = await procs.run(
    `build ${entry}`,
    [bun, "build", ...args, "--outfile", out],
    "none",
  );
  if (finished.code !== 0) {
    throw new Error(`bun build --compile ${entry} failed:\n${finished.stderr}${finished.stdout}`);
  }
}

/** Runs `deno fmt` on the files the run wrote, so `deno fmt --check` stays clean. */
function formatFiles(files: string[]): void {
  const out = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", ...files],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  if (out.code !== 0) console.error(`bench: deno fmt failed:\n${text(out.stderr)}`);
}

function parseArgs(args: readonly string[]): { quick: boolean; only: Section[] | undefined } {
  let quickMode = false;
  let only: Section[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--quick") quickMode = true;
    else if (arg === "--only" || arg.startsWith("--only=")) {
      const value = arg === "--only" ? args[++i] ?? "" : arg.slice("--only=".length);
      const names = value.split(",").filter((s) => s !== "");
      const unknown = names.filter((name) => !(SECTIONS as readonly string[]).includes(name));
      if (names.length === 0 || unknown.length > 0) {
        throw new Error(`--only takes ${SECTIONS.join(", ")}; got "${value}"\n\n${USAGE}`);
      }
      only = names as Section[];
    } else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      Deno.exit(0);
    } else throw new Error(`unknown argument "${arg}"\n\n${USAGE}`);
  }
  return { quick: quickMode, only };
}

async function main(): Promise<number> {
  const options = parseArgs(Deno.args);
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  Deno.chdir(root);
  const cpus = allowedCpus();
  const count = cpus.length > 0 ? cpus.length : navigator.hardwareConcurrency;
  const wanted = (section: Section) =>
    options.only ? options.only.includes(section) : !OPT_IN.includes(section);
  const missing = missingTools(count, wanted);
  if (missing.length > 0) {
    console.error(`bench: missing tools: ${missing.join(", ")}`);
    return 2;
  }
  const pinning: Pinning = cpus.length >= 2
    ? { server: cpus[0], load: cpus[1] }
    : { server: undefined, load: undefined };
  const settings = settingsFor(options.quick);
  const startedAt = new Date();
  const t0 = performance.now();
  const log = (message: string) => {
    const s = ((performance.now() - t0) / 1000).toFixed(1).padStart(6);
    console.error(`[${s} s] ${message}`);
  };
  const procs = new Procs(pinning);
  const notes: string[] = [];
  const failed: string[] = [];
  const tmp = await Deno.makeTempDir({ prefix: "vitals-bench-" });
  const onSignal = () => {
    console.error("bench: interrupted; stopping the processes it started");
    void procs.stopAll()
      .then(() => Deno.remove(tmp, { recursive: true }))
      .catch(() => {})
      .finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  let serve: ServeRow[] = [];
  let startup: StartupRow[] = [];
  let oneShot: OneShotRow[] = [];
  let checkCost: CheckCostRow[] = [];
  let fanout: FanoutRow[] = [];
  let burst: BurstRow[] = [];
  let probe: ProbeResult | null = null;
  let scale: ScaleResult | null = null;
  let programs: Programs | undefined;
  try {
    if (pinning.load !== undefined) {
      // The runner is a load generator too (start-up polling, the burst): keep it off the server core.
      quick("taskset", ["-a", "-cp", String(pinning.load), String(Deno.pid)]);
    } else {
      notes.push("one core only: server and load generator share it (no pinning)");
    }
    log(`${options.quick ? "quick" : "full"} run on ${count} cores; temp dir ${tmp}`);
    notes.push(`load average at start (before this run): ${loadAverage()}`);
    const bun = await findBun(procs);
    await Deno.mkdir("dist/bench", { recursive: true });
    programs = {
      deno: Deno.execPath(),
      bun,
      vitalsBin: `${root}/dist/bench/vitals`,
      bareBunBin: `${root}/dist/bench/bare_bun`,
      bareExitBin: `${root}/dist/bench/bare_exit`,
    };
    log("building dist/bench/{vitals,bare_bun,bare_exit} with bun build --compile --minify");
    await build(procs, bun, "main.ts", programs.vitalsBin);
    await build(procs, bun, "bench/bare_bun.ts", programs.bareBunBin);
    await build(procs, bun, "bench/bare_exit.ts", programs.bareExitBin);
    const cores = { server: pinning.server ?? 0, load: pinning.load ?? 0 };
    const ctx: Context = { settings, procs, programs, root, tmp, cores, log };
    const config = await writeServeConfig(tmp);
    const section = async (name: Section, title: string, body: () => Promise<void>) => {
      if (!wanted(name)) return;
      log(title);
      try {
        await body();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failed.push(name);
        notes.push(`section ${name} failed: ${message.split("\n")[0]}`);
        console.error(`bench: section ${name} failed: ${message}`);
        await procs.stopAll();
      }
    };
    await section("serve", "1. serving from cache", async () => {
      serve = await runServeLoad(ctx, config);
    });
    await section("startup", "2. start-up", async () => {
      startup = await runFirstAnswer(ctx, config);
      oneShot = await runOneShot(ctx, config);
    });
    await section("cost", "3. cost of a check", async () => {
      checkCost = await runCheckCost(ctx);
    });
    await section("fanout", "4-5. fan-out and burst", async () => {
      ({ fanout, burst } = await runFanoutBurst(ctx));
    });
    await section("probe", "6. vitals probe start to exit", async () => {
      probe = await runProbe(ctx);
    });
    await section("scale", "7. scale: 100, 1,000 and 5,000 checks", async () => {
      scale = await runScale({
        procs,
        root,
        tmp,
        quick: settings.quick,
        runtimes: settings.quick ? ["deno", "bun"] : ["deno", "bun", "compiled"],
        argv: {
          deno: [programs!.deno, "run", "-A", "main.ts"],
          bun: [programs!.bun, "main.ts"],
          compiled: [programs!.vitalsBin],
        },
        log,
      });
      console.log(renderScale(scale));
    });
  } finally {
    await procs.stopAll();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  notes.push(`load average at the end (this run included): ${loadAverage()}`);
  if (settings.quick) {
    notes.push(
      "quick run: 3 repetitions of 1 s wrk runs, fan-out on Deno only; expect noise",
    );
  }
  const results: Results = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    durationS: (performance.now() - t0) / 1000,
    mode: settings.quick ? "quick" : "full",
    settings,
    machine: machine(count, pinning),
    versions: versions(programs?.bun ?? "bun"),
    serve,
    startup,
    oneShot,
    checkCost,
    fanout,
    burst,
    probe,
    scale,
    targets: judge({ serve, startup, checkCost, fanout, burst }),
    notes,
  };
  await Deno.mkdir("bench/results", { recursive: true });
  if (options.only || failed.length > 0) {
    // A partial or failed run must not replace the last complete one.
    await writeJson("bench/results/partial.json", results);
    formatFiles(["bench/results/partial.json"]);
    log(
      "wrote bench/results/partial.json; latest.json and BENCHMARKS.md are left alone " +
        (options.only ? "with --only" : `(failed: ${failed.join(", ")})`),
    );
  } else {
    await writeJson("bench/results/latest.json", results);
    await updateMarkdown("BENCHMARKS.md", renderSection(results));
    formatFiles(["bench/results/latest.json", "BENCHMARKS.md"]);
    log("wrote bench/results/latest.json and the generated section of BENCHMARKS.md");
  }
  const met = results.targets.filter((t) => t.met).length;
  log(`targets: ${met} of ${results.targets.length} met`);
  for (const target of results.targets.filter((t) => !t.met)) {
    log(`  missed: ${target.description}: ${target.measured} (limit ${target.limit})`);
  }
  return failed.length > 0 ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
