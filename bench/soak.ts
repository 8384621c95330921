/**
 * Memory over time with every check kind and the gRPC server:
 * `npx -y deno@2.9.6 run -A bench/soak.ts --minutes N [--build compiled|deno|bun]
 * [--grpc all|client|server|none]`.
 *
 * Runs vitals (by default the compiled binary, built as `deno task
 * compile:bun` builds it) in background mode at a 1 s interval with a
 * command, tcp, http, file, tabbyapi and two grpc checks (one against
 * vitals' own gRPC port, one against grpc-go's health server) and
 * `server.grpc` on. Probes `/health/ready/simple` every 200 ms and the gRPC
 * port with grpc-go's client (as kubelet does) every second, and reads VmRSS
 * and RssAnon (private memory) from /proc every 10 s. `--grpc` drops parts to
 * tell the gRPC client from the server: `client` (grpc check against grpc-go
 * only, no server), `server` (the server probed by grpc-go, no grpc check),
 * `none`. Every peer runs out of process (see bench/soak_peers.ts).
 *
 * Prints RSS at 10 min, at the end, its maximum, the least-squares slope over
 * the last hour in MB/h (a run shorter than 70 min: from minute 10, or from
 * half-way when under 20 min, to the end), the failed probes and each check's
 * last status; writes `bench/results/soak-<build>-<grpc>.json` with every
 * sample. Stops every process it started.
 *
 * @module
 */

import { freePort, memoryKb, Procs, sleep, type Started, waitFor200 } from "./proc.ts";
import {
  type Build,
  buildGo,
  OUT,
  startGoServer,
  startStandIn,
  vitalsCommand,
} from "./soak_peers.ts";

type GrpcParts = "all" | "client" | "server" | "none";
const SAMPLE_MS = 10_000;
const HTTP_PROBE_MS = 200;
const GRPC_PROBE_MS = 1000;

interface Sample {
  /** Minutes since vitals first answered. */
  readonly minute: number;
  readonly rssMb: number;
  readonly anonMb: number;
}

function option(name: string, fallback: string): string {
  const at = Deno.args.indexOf(`--${name}`);
  return at === -1 ? fallback : Deno.args[at + 1] ?? fallback;
}

/** RssAnon of `pid`, in MB. */
function anonMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(status.match(/^RssAnon:\s+(\d+) kB/m)?.[1]) / 1024;
}

/** Least-squares slope of `value` over `minute`, in MB per hour. */
function slopePerHour(samples: readonly Sample[], value: (s: Sample) => number): number {
  const n = samples.length;
  if (n < 2) return Number.NaN;
  const mx = samples.reduce((sum, s) => sum + s.minute, 0) / n;
  const my = samples.reduce((sum, s) => sum + value(s), 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.minute - mx) * (value(s) - my);
    den += (s.minute - mx) ** 2;
  }
  return (num / den) * 60;
}

function config(parts: GrpcParts, ports: Record<string, number>, marker: string): string {
  const server = parts === "all" || parts === "server";
  const client = parts === "all" || parts === "client";
  return [
    server ? `server: {grpc: {port: ${ports.grpc}}}` : "",
    "cache: {mode: background, ttl: 1s}",
    "checks:",
    `  - {name: cmd, type: command, command: ["true"]}`,
    `  - {name: tcp, type: tcp, host: 127.0.0.1, port: ${ports.standIn}}`,
    `  - {name: app, type: http, url: "http://127.0.0.1:${ports.standIn}/ready", bodyContains: ok}`,
    `  - {name: marker, type: file, path: ${marker}}`,
    `  - {name: llm, type: tabbyapi, url: "http://127.0.0.1:${ports.standIn}"}`,
    // Its own "live" group, not "": a check of the scope it belongs to would ask about itself.
    server && client
      ? `  - {name: grpc-self, type: grpc, port: ${ports.grpc}, service: live, groups: [ready]}`
      : "",
    client ? `  - {name: grpc-go, type: grpc, port: ${ports.goServer}}` : "",
  ].filter((line) => line !== "").join("\n") + "\n";
}

/** Calls `step` every `ms` until `until`; counts its failures. */
async function every(ms: number, until: number, step: () => Promise<boolean>) {
  let runs = 0;
  let failed = 0;
  while (performance.now() < until) {
    const next = performance.now() + ms;
    runs++;
    if (!(await step())) failed++;
    await sleep(Math.max(0, next - performance.now()));
  }
  return { runs, failed };
}

if (import.meta.main) {
  const minutes = Number(option("minutes", "30"));
  const build = option("build", "compiled") as Build;
  const parts = option("grpc", "all") as GrpcParts;
  if (!(minutes > 0) || !["compiled", "deno", "bun"].includes(build)) {
    throw new Error(
      "Usage: soak.ts --minutes N [--build compiled|deno|bun] [--grpc all|client|server|none]",
    );
  }
  const procs = new Procs({ server: undefined, load: undefined });
  Deno.addSignalListener("SIGINT", () => void procs.stopAll().then(() => Deno.exit(130)));
  const dir = Deno.makeTempDirSync({ prefix: "vitals-soak-" });
  try {
    Deno.mkdirSync(OUT, { recursive: true });
    const command = await vitalsCommand(procs, build);
    const goServer = await buildGo(procs, "grpc_health_server");
    const goClient = await buildGo(procs, "grpc_health_client");
    const ports = {
      standIn: await startStandIn(procs, dir),
      goServer: await startGoServer(procs, goServer),
      grpc: freePort(),
      http: freePort(),
    };
    const marker = `${dir}/marker`;
    Deno.writeTextFileSync(marker, "");
    Deno.writeTextFileSync(`${dir}/vitals.yaml`, config(parts, ports, marker));
    const argv = [...command, "serve", "--config", `${dir}/vitals.yaml`, "--host", "127.0.0.1"];
    const vitals: Started = procs.start("vitals", [...argv, "--port", String(ports.http)], {
      side: "none",
    });
    const base = `http://127.0.0.1:${ports.http}`;
    const start = await waitFor200(`${base}/health/ready/simple`, vitals, 60_000);
    // `bun` via npx: measure the bun process, not npx.
    const pid = build === "bun" ? bunProcess(vitals.pid) : vitals.pid;
    const until = start + minutes * 60_000;
    const samples: Sample[] = [];
    const sampling = every(SAMPLE_MS, until + 1000, () => {
      const minute = (performance.now() - start) / 60_000;
      if (!alivePid(pid)) return Promise.resolve(false); // reported as "vitals EXITED"
      samples.push({ minute, rssMb: memoryKb(pid).rss / 1024, anonMb: anonMb(pid) });
      const last = samples.at(-1)!;
      console.error(
        `${minute.toFixed(1)} min: RSS ${last.rssMb.toFixed(1)} MB, private ${
          last.anonMb.toFixed(1)
        } MB`,
      );
      return Promise.resolve(true);
    });
    const httpProbes = every(HTTP_PROBE_MS, until, async () => {
      try {
        const response = await fetch(`${base}/health/ready/simple`, {
          signal: AbortSignal.timeout(2000),
        });
        await response.body?.cancel();
        return response.status === 200;
      } catch {
        return false;
      }
    });
    const grpcProbes = parts === "all" || parts === "server"
      ? every(GRPC_PROBE_MS, until, async () => {
        const ran = await procs.run("grpc-go client", [
          goClient,
          "-addr",
          `127.0.0.1:${ports.grpc}`,
          "-service",
          "ready",
          "-timeout",
          "2s",
        ], "none");
        return ran.code === 0 && ran.stdout.trim() === "SERVING";
      })
      : Promise.resolve({ runs: 0, failed: 0 });
    const [http, grpc] = await Promise.all([httpProbes, grpcProbes, sampling]);
    const health = await (await fetch(`${base}/health`)).json() as {
      checks: { name: string; status: string; message?: string }[];
    };
    const alive = alivePid(pid);
    const at10 = samples.find((s) => s.minute >= 10);
    const window = samples.filter((s) =>
      minutes >= 70 ? s.minute >= minutes - 60 : s.minute >= Math.min(10, minutes / 2)
    );
    const summary = {
      build,
      grpc: parts,
      minutes,
      rssAt10Mb: at10?.rssMb ?? null,
      rssEndMb: samples.at(-1)?.rssMb ?? null,
      rssMaxMb: Math.max(...samples.map((s) => s.rssMb)),
      anonAt10Mb: at10?.anonMb ?? null,
      anonEndMb: samples.at(-1)?.anonMb ?? null,
      slopeWindow: `${window[0]?.minute.toFixed(0)}–${window.at(-1)?.minute.toFixed(0)} min`,
      rssSlopeMbPerHour: slopePerHour(window, (s) => s.rssMb),
      anonSlopeMbPerHour: slopePerHour(window, (s) => s.anonMb),
      httpProbes: http,
      grpcProbes: grpc,
      checks: health.checks.map((c) => `${c.name} ${c.status}`),
      alive,
    };
    const mb = (value: number | null) => value === null ? "n/a" : value.toFixed(1);
    console.log(
      [
        `soak: ${build}, grpc ${parts}, ${minutes} min`,
        `RSS at 10 min ${mb(summary.rssAt10Mb)} MB, at the end ${mb(summary.rssEndMb)} MB, max ${
          mb(summary.rssMaxMb)
        } MB`,
        `private (RssAnon) at 10 min ${mb(summary.anonAt10Mb)} MB, at the end ${
          mb(summary.anonEndMb)
        } MB`,
        `slope over ${summary.slopeWindow}: RSS ${summary.rssSlopeMbPerHour.toFixed(2)} MB/h, ` +
        `private ${summary.anonSlopeMbPerHour.toFixed(2)} MB/h`,
        `failed probes: HTTP ${http.failed} of ${http.runs}, gRPC ${grpc.failed} of ${grpc.runs}`,
        `checks at the end: ${summary.checks.join(", ")}; vitals ${alive ? "alive" : "EXITED"}`,
      ].join("\n"),
    );
    Deno.mkdirSync("bench/results", { recursive: true });
    Deno.writeTextFileSync(
      `bench/results/soak-${build}-${parts}.json`,
      JSON.stringify({ date: new Date().toISOString(), summary, samples }, null, 2) + "\n",
    );
  } finally {
    await procs.stopAll();
    Deno.removeSync(dir, { recursive: true });
  }
}

function alivePid(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(Deno.readTextFileSync(`/proc/${pid}/status`));
  } catch {
    return false;
  }
}

/** The first process named `bun` at or below `pid` (npx → sh → bun), along first children. */
function bunProcess(pid: number): number {
  for (let depth = 0; depth < 5; depth++) {
    if (Deno.readTextFileSync(`/proc/${pid}/comm`).trim() === "bun") return pid;
    const children = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim();
    if (children === "") break;
    pid = Number(children.split(/\s+/)[0]);
  }
  throw new Error("Cannot find the bun process under npx");
}
