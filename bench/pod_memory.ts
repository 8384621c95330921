/**
 * The memory the Kubernetes recipe's `resources` are set from, reproduced:
 * `deno run -A bench/pod_memory.ts [--quick]`. Runs vitals with the config of
 * `deploy/kubernetes/vitals-sidecar.yaml` (its ConfigMap, with the ports moved
 * to local stand-ins the runner starts, and a non-critical command check that
 * floods its output, `yes`, cut at 1 MiB per run), reads its idle RSS 3 s after
 * the first 200, then its peak RSS (VmHWM) while `wrk` holds 1,000
 * connections on `/health/ready/simple` for 20 s (5 s with `--quick`). Both
 * builds: `deno run main.ts` (the Dockerfile's `deno compile` image cannot be
 * built without network access; it runs the same runtime) and the
 * `bun build --compile` binary. Prints the medians and ranges beside the
 * recipe's request and limit; writes `bench/results/pod_memory.json`.
 *
 * @module
 */

import { parse, parseAllDocuments } from "yaml";
import {
  freePort,
  memoryKb,
  Procs,
  resetPeak,
  sleep,
  vitalsServeArgs,
  waitFor200,
} from "./proc.ts";
import { summarize, type Summary } from "./stats.ts";

const RECIPE = "deploy/kubernetes/vitals-sidecar.yaml";
const OUT = "dist/bench/memory";
const MiB = 1024 * 1024;

/** The recipe's ConfigMap config, pointed at local stand-ins, plus the flooding check. */
function config(appPort: number, redisPort: number, marker: string): string {
  const docs = parseAllDocuments(Deno.readTextFileSync(RECIPE)).map((doc) => doc.toJS());
  const map = docs.find((doc) => doc?.kind === "ConfigMap");
  const vitals = parse(map.data["vitals.yaml"]);
  for (const check of vitals.checks) {
    if (check.type === "file") check.path = marker;
    if (check.name === "app-process") check.port = appPort;
    if (check.type === "http") check.url = `http://127.0.0.1:${appPort}/ready`;
    if (check.name === "redis") Object.assign(check, { host: "127.0.0.1", port: redisPort });
  }
  vitals.checks.push({ name: "flood", type: "command", command: ["yes"], critical: false });
  return JSON.stringify(vitals);
}

/** The recipe's `resources` of the vitals container, in bytes. */
function resources(): { request: number; limit: number } {
  const text = Deno.readTextFileSync(RECIPE);
  const mi = (pattern: RegExp) => Number(text.match(pattern)?.[1]) * MiB;
  return {
    request: mi(/requests: \{[^}]*memory: (\d+)Mi/),
    limit: mi(/limits: \{ memory: (\d+)Mi/),
  };
}

const fmt = (s: Summary) => `${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const rounds = quick ? 1 : 3;
  const seconds = quick ? 5 : 20;
  const procs = new Procs({ server: 0, load: 1 });
  const dir = Deno.makeTempDirSync({ prefix: "vitals-pod-memory-" });
  const marker = `${dir}/migrated`;
  Deno.writeTextFileSync(marker, "");
  const app = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("ok"),
  );
  const redis = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  void (async () => {
    for await (const conn of redis) conn.close();
  })().catch(() => {});
  const file = `${dir}/vitals.json`;
  Deno.writeTextFileSync(file, config(app.addr.port, redis.addr.port, marker));
  const builds = [
    { name: "deno run main.ts", argv: [Deno.execPath(), "run", "-A", "--no-lock", "main.ts"] },
    { name: "bun build --compile", argv: [`${OUT}/vitals`] },
  ];
  try {
    Deno.mkdirSync(OUT, { recursive: true });
    const built = await procs.run("build", [
      "npx",
      "-y",
      "bun@1.4.4",
      "build",
      "--compile",
      "--minify",
      "--splitting",
      "--bytecode",
      "--format=esm",
      "main.ts",
      "src/config/_load_worker.ts",
      "--outfile",
      `${OUT}/vitals`,
    ], "none");
    if (built.code !== 0) throw new Error(`Cannot build vitals: ${built.stderr}`);
    const rows = [];
    for (const build of builds) {
      const idle: number[] = [];
      const peak: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const port = freePort();
        const started = procs.start(build.name, [...build.argv, ...vitalsServeArgs(file, port)], {
          side: "server",
        });
        try {
          const url = `http://127.0.0.1:${port}/health/ready/simple`;
          await waitFor200(url, started, 30_000);
          await sleep(3_000);
          idle.push(memoryKb(started.pid).rss / 1024);
          if (!resetPeak(started.pid)) {
            throw new Error("Cannot reset the peak RSS (/proc/PID/clear_refs)");
          }
          const wrk = await procs.run(
            "wrk",
            ["wrk", "-t1", "-c1000", `-d${seconds}s`, url],
            "load",
          );
          if (wrk.code !== 0) throw new Error(`wrk failed: ${wrk.stderr}`);
          peak.push(memoryKb(started.pid).peak / 1024);
          const requests = wrk.stdout.match(/(\d+) requests in/)?.[1];
          const errors = wrk.stdout.match(/Socket errors:.*/)?.[0] ?? "no socket errors";
          console.error(`${build.name}: ${requests} requests; ${errors}`);
        } finally {
          await procs.stop(started);
        }
      }
      rows.push({ name: build.name, idle: summarize(idle), peak: summarize(peak) });
      console.error(`${build.name}: done`);
    }
    const { request, limit } = resources();
    console.log(
      [
        `| build | idle RSS MB | peak RSS MB, 1,000 connections for ${seconds} s |`,
        "| --- | --- | --- |",
        ...rows.map((row) => `| ${row.name} | ${fmt(row.idle)} | ${fmt(row.peak)} |`),
        "",
        `The recipe asks for ${(request / 1e6).toFixed(0)} MB (${request / MiB}Mi) and limits at ` +
        `${(limit / 1e6).toFixed(0)} MB (${limit / MiB}Mi). Median (min–max) of ${rounds} rounds.`,
      ].join("\n"),
    );
    const overLimit = rows.filter((row) => row.peak.max * 1024 * 1024 > limit * 0.9);
    if (overLimit.length > 0) {
      console.log(`Warning: within 10% of the limit: ${overLimit.map((r) => r.name).join(", ")}`);
    }
    Deno.mkdirSync("bench/results", { recursive: true });
    Deno.writeTextFileSync(
      "bench/results/pod_memory.json",
      JSON.stringify(
        { date: new Date().toISOString(), seconds, rounds, request, limit, rows },
        null,
        2,
      ) +
        "\n",
    );
  } finally {
    await procs.stopAll();
    await app.shutdown();
    redis.close();
    Deno.removeSync(dir, { recursive: true });
  }
}
