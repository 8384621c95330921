/**
 * Idle memory, split the way a pod pays for it: `deno run -A bench/idle_memory.ts
 * [--quick]`. Builds compiled programs with `bun build --compile --minify` and
 * measures each idle, 3 s after its first 200, as resident memory (VmRSS) and
 * its two parts: private memory (RssAnon: heap, stacks, JIT code; what every
 * pod pays alone, never reclaimable without swap) and the program's file pages
 * (RssFile: the binary's code and data, shared by every process running the
 * same file and dropped by the kernel under pressure).
 *
 * Programs: the bare compiled server, the bare server after the primitives the
 * example config's checks use (`bare_primitives.ts`), vitals as shipped (the
 * config loaded in a worker), and vitals built without the worker's entry
 * point (the worker fails to start and the config is loaded in place: what a
 * build that forgets the entry costs); then, uncompiled, `deno run` of the
 * bare Deno server and of vitals. Each round runs every program once, in rotating order;
 * the table gives medians and ranges. Writes `bench/results/idle_memory.json`.
 *
 * @module
 */

import { Procs, sleep, type Started, vitalsServeArgs, waitFor200 } from "./proc.ts";
import { ratio, summarize, type Summary } from "./stats.ts";

const BUN = ["npx", "-y", "bun@1.4.4"];
const OUT = "dist/bench/memory";
const CONFIG = "config.example.yaml";
/** Idle time after the first 200 before reading memory: timers armed, first evaluation done. */
const SETTLE_MS = 3_000;
/** The flags `deno task compile:bun` adds to `--compile --minify` (less the source map). */
const SHIPPED_FLAGS = ["--splitting", "--bytecode", "--format=esm"];

interface Program {
  readonly name: string;
  readonly build?: readonly string[];
  /** argv given the port. */
  readonly argv: (port: number) => string[];
  /** What answers 200 once it serves. */
  readonly path: string;
}

const PROGRAMS: readonly Program[] = [
  {
    name: "bare server (compiled)",
    build: ["bench/bare_bun.ts"],
    argv: (port) => [`${OUT}/bare`, "--port", String(port)],
    path: "/",
  },
  {
    name: "bare + primitives (compiled)",
    build: ["bench/bare_primitives.ts"],
    argv: (port) => [`${OUT}/primitives`, "--port", String(port)],
    path: "/",
  },
  {
    name: "vitals, config worker (compiled, shipped)",
    build: [...SHIPPED_FLAGS, "main.ts", "src/config/_load_worker.ts"],
    argv: (port) => [`${OUT}/vitals`, ...vitalsServeArgs(CONFIG, port)],
    path: "/health/simple",
  },
  {
    name: "vitals built without the worker entry (compiled)",
    build: [...SHIPPED_FLAGS, "main.ts"],
    argv: (port) => [`${OUT}/vitals-in-place`, ...vitalsServeArgs(CONFIG, port)],
    path: "/health/simple",
  },
  {
    name: "bare server (deno run)",
    argv: (
      port,
    ) => [Deno.execPath(), "run", "-A", "--no-lock", "bench/bare_deno.ts", "--port", String(port)],
    path: "/",
  },
  {
    name: "vitals (deno run)",
    argv: (
      port,
    ) => [Deno.execPath(), "run", "-A", "--no-lock", "main.ts", ...vitalsServeArgs(CONFIG, port)],
    path: "/health/simple",
  },
];

/** The compiled file each built program goes to. */
const OUTPUTS: Record<string, string> = {
  "bare server (compiled)": "bare",
  "bare + primitives (compiled)": "primitives",
  "vitals, config worker (compiled, shipped)": "vitals",
  "vitals built without the worker entry (compiled)": "vitals-in-place",
};

interface Sample {
  readonly rss: number;
  readonly anon: number;
  readonly file: number;
}

/** VmRSS, RssAnon and RssFile of `pid`, in MB. */
function memory(pid: number): Sample {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const field = (name: string) =>
    Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1]) / 1024;
  return { rss: field("VmRSS"), anon: field("RssAnon"), file: field("RssFile") };
}

async function measure(procs: Procs, program: Program, port: number): Promise<Sample> {
  const started: Started = procs.start(program.name, program.argv(port), { side: "server" });
  try {
    await waitFor200(`http://127.0.0.1:${port}${program.path}`, started, 30_000);
    await sleep(SETTLE_MS);
    return memory(started.pid);
  } finally {
    await procs.stop(started);
  }
}

const fmt = (s: Summary) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const rounds = quick ? 3 : 7;
  const procs = new Procs({ server: 0, load: undefined });
  Deno.addSignalListener("SIGINT", () => void procs.stopAll().then(() => Deno.exit(130)));
  try {
    Deno.mkdirSync(OUT, { recursive: true });
    for (const program of PROGRAMS) {
      if (program.build === undefined) continue;
      const out = `${OUT}/${OUTPUTS[program.name]}`;
      const built = await procs.run(`build ${out}`, [
        ...BUN,
        "build",
        "--compile",
        "--minify",
        ...program.build,
        "--outfile",
        out,
      ], "none");
      if (built.code !== 0) throw new Error(`Cannot build "${out}": ${built.stderr}`);
    }
    const samples = new Map<string, Sample[]>(PROGRAMS.map((p) => [p.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < PROGRAMS.length; i++) {
        const program = PROGRAMS[(i + round) % PROGRAMS.length]!;
        samples.get(program.name)!.push(await measure(procs, program, 18_400 + i));
      }
      console.error(`round ${round + 1}/${rounds} done`);
    }
    const rows = PROGRAMS.map((program) => {
      const list = samples.get(program.name)!;
      return {
        name: program.name,
        rss: summarize(list.map((s) => s.rss)),
        anon: summarize(list.map((s) => s.anon)),
        file: summarize(list.map((s) => s.file)),
      };
    });
    const bare = rows[0]!;
    const bareDeno = rows[4]!;
    const lines = [
      "| program | RSS MB | private (RssAnon) MB | file pages (RssFile) MB | RSS vs bare | private vs bare |",
      "| --- | --- | --- | --- | --- | --- |",
      ...rows.map((row, i) => {
        const base = i >= 4 ? bareDeno : bare;
        return `| ${row.name} | ${fmt(row.rss)} | ${fmt(row.anon)} | ${fmt(row.file)} | ` +
          `${ratio(row.rss.median, base.rss.median).toFixed(2)}× | ${
            ratio(row.anon.median, base.anon.median).toFixed(2)
          }× |`;
      }),
    ];
    const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
    console.log(
      `${
        lines.join("\n")
      }\n\nMedian (min–max) of ${rounds} rounds; load average at the end ${load}.`,
    );
    Deno.mkdirSync("bench/results", { recursive: true });
    Deno.writeTextFileSync(
      "bench/results/idle_memory.json",
      JSON.stringify(
        { date: new Date().toISOString(), rounds, settleMs: SETTLE_MS, load, rows },
        null,
        2,
      ) + "\n",
    );
  } finally {
    await procs.stopAll();
  }
}
