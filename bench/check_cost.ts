/**
 * Section 3, the cost of a check, in-process on the runtime that runs this
 * script (`deno run -A bench/check_cost.ts ...` or `bun bench/check_cost.ts ...`):
 * one evaluation of N identical checks (N = 1, 10, 100; pool size = N, so all N
 * run at once) divided by N, against N concurrent raw primitives divided by N.
 * Kinds: command `/bin/true`, tcp connect to nginx, http GET to nginx.
 *
 * Arguments: `--host H --port P` (nginx; not needed for command alone),
 * `--per-sample C` (about how many checks one sample runs), `--reps R`, and
 * optionally `--kinds command,tcp,http` (all three by default). Prints a
 * {@link CheckCostOutput} as JSON.
 *
 * @module
 */

import process from "node:process";
import { createCheck } from "../src/checks/create_check.ts";
import { Health } from "../src/engine/health.ts";
import { detectPlatform, type Platform } from "../src/platform/mod.ts";
import {
  argValue,
  connectClose,
  cpuNow,
  currentRuntime,
  fetchOnce,
  scriptArgs,
  spawnTrue,
} from "./primitives.ts";
import type { CheckCostOutput, Kind, Runtime } from "./types.ts";
import type { CheckConfig } from "../src/config/resolve.ts";

const SIZES = [1, 10, 100] as const;
const KINDS: readonly Kind[] = ["command", "tcp", "http"];

interface Target {
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

function checkConfig(kind: Kind, index: number, target: Target): CheckConfig {
  const common = {
    name: `${kind}-${index}`,
    timeout: 10_000,
    critical: true,
    groups: ["ready" as const],
    interval: 1_000,
    failureThreshold: 1,
    successThreshold: 1,
  };
  switch (kind) {
    case "command":
      return { ...common, type: "command", command: ["/bin/true"], nagios: false };
    case "tcp":
      return { ...common, type: "tcp", host: target.host, port: target.port };
    case "http":
      return { ...common, type: "http", url: target.url, method: "GET" };
  }
}

function primitive(kind: Kind, runtime: Runtime, target: Target): () => Promise<void> {
  switch (kind) {
    case "command":
      return () => spawnTrue(runtime);
    case "tcp":
      return () => connectClose(runtime, target.host, target.port);
    case "http":
      return () => fetchOnce(target.url);
  }
}

/** Times `iterations` calls of `once`: wall µs and CPU µs, each divided by `perCall`. */
async function timed(
  once: () => Promise<void>,
  iterations: number,
  perCall: number,
): Promise<{ wall: number; cpu: number }> {
  const cpu0 = cpuNow();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await once();
  const wall = (performance.now() - t0) * 1000;
  const cpu = cpuNow() - cpu0;
  return { wall: wall / (iterations * perCall), cpu: cpu / (iterations * perCall) };
}

async function measure(
  platform: Platform,
  runtime: Runtime,
  kind: Kind,
  n: number,
  target: Target,
  perSample: number,
  reps: number,
): Promise<CheckCostOutput["rows"][number]> {
  const checks = Array.from(
    { length: n },
    (_, i) => createCheck(checkConfig(kind, i, target), { platform }),
  );
  const health = new Health({ checks, ttl: 0, poolSize: n });
  const raw = primitive(kind, runtime, target);
  const evaluate = async () => {
    const status = await health.evaluate(true);
    if (status.status !== "UP") {
      throw new Error(`${kind} x${n}: DOWN: ${status.details.join("; ")}`);
    }
  };
  const rawBatch = async () => {
    await Promise.all(Array.from({ length: n }, raw));
  };
  const iterations = Math.max(3, Math.ceil(perSample / n));
  // Warm up both paths (JIT, connection pools) before measuring.
  await timed(evaluate, Math.max(2, Math.ceil(iterations / 4)), n);
  await timed(rawBatch, Math.max(2, Math.ceil(iterations / 4)), n);
  const row = {
    kind,
    n,
    poolSize: n,
    vitalsUs: [] as number[],
    rawUs: [] as number[],
    vitalsCpuUs: [] as number[],
    rawCpuUs: [] as number[],
  };
  for (let rep = 0; rep < reps; rep++) {
    // Alternate which goes first, so drift does not favour one.
    const order = rep % 2 === 0 ? ["vitals", "raw"] : ["raw", "vitals"];
    for (const which of order) {
      if (which === "vitals") {
        const t = await timed(evaluate, iterations, n);
        row.vitalsUs.push(t.wall);
        row.vitalsCpuUs.push(t.cpu);
      } else {
        const t = await timed(rawBatch, iterations, n);
        row.rawUs.push(t.wall);
        row.rawCpuUs.push(t.cpu);
      }
    }
  }
  health.close();
  return row;
}

if (import.meta.main) {
  const args = scriptArgs();
  const kinds = args.includes("--kinds")
    ? argValue(args, "kinds").split(",").map((kind) => {
      if (!KINDS.includes(kind as Kind)) throw new Error(`unknown kind "${kind}"`);
      return kind as Kind;
    })
    : KINDS;
  const needsTarget = kinds.some((kind) => kind !== "command");
  const host = needsTarget ? argValue(args, "host") : "127.0.0.1";
  const port = needsTarget ? Number(argValue(args, "port")) : 0;
  const target = { host, port, url: `http://${host}:${port}/` };
  const perSample = Number(argValue(args, "per-sample"));
  const reps = Number(argValue(args, "reps"));
  const runtime = currentRuntime();
  const platform = detectPlatform();
  const rows: CheckCostOutput["rows"][number][] = [];
  for (const kind of kinds) {
    for (const n of SIZES) {
      rows.push(await measure(platform, runtime, kind, n, target, perSample, reps));
    }
  }
  const output: CheckCostOutput = { runtime, rows };
  console.log(JSON.stringify(output));
  // Exit now: the shared check-timeout timer may stay armed until its deadline.
  process.exit(0);
}
