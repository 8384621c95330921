/**
 * Sections 4 and 5, run in-process by either runtime against bench/delay_server.ts.
 *
 * - `fanout --url U --checks 50 --ms 100 --sizes 1,10,50 --reps R`: one evaluation
 *   of 50 http checks that each take 100 ms, per pool size; prints a
 *   {@link FanoutOutput} with the wall times in ms.
 * - `burst --config FILE`: builds the app with `createApp` (cold cache), serves
 *   it on 127.0.0.1 (any port), prints `{"port":N}`, then answers each `stats`
 *   line on standard input with a {@link BurstStats} line, and exits when
 *   standard input closes.
 *
 * @module
 */

import process from "node:process";
import { createInterface } from "node:readline";
import { createApp } from "../src/app/create_app.ts";
import { createCheck } from "../src/checks/create_check.ts";
import { loadConfig } from "../src/config/load.ts";
import { Health } from "../src/engine/health.ts";
import { silentLogger } from "../src/log.ts";
import { detectPlatform, type Platform } from "../src/platform/mod.ts";
import { argValue, currentRuntime, scriptArgs } from "./primitives.ts";
import type { BurstStats, FanoutOutput } from "./types.ts";

async function fanout(platform: Platform, args: readonly string[]): Promise<FanoutOutput> {
  const url = argValue(args, "url");
  const count = Number(argValue(args, "checks"));
  const ms = Number(argValue(args, "ms"));
  const sizes = argValue(args, "sizes").split(",").map(Number);
  const reps = Number(argValue(args, "reps"));
  const checks = Array.from({ length: count }, (_, i) =>
    createCheck({
      name: `slow-${i}`,
      type: "http",
      url: `${url}?ms=${ms}&i=${i}`,
      method: "GET",
      timeout: 30_000,
      critical: true,
      groups: ["ready"],
      interval: 1_000,
      failureThreshold: 1,
      successThreshold: 1,
    }, { platform }));
  const rows: { poolSize: number; wallMs: number[] }[] = [];
  // Warm up (JIT and the connection pool) with everything at once.
  const warm = new Health({ checks, ttl: 0, poolSize: count });
  await warm.evaluate(true);
  warm.close();
  for (const poolSize of sizes) {
    const health = new Health({ checks, ttl: 0, poolSize });
    const wallMs: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const t0 = performance.now();
      const status = await health.evaluate(true);
      wallMs.push(performance.now() - t0);
      if (status.status !== "UP") throw new Error(`fan-out DOWN: ${status.details.join("; ")}`);
    }
    health.close();
    rows.push({ poolSize, wallMs });
  }
  return { runtime: currentRuntime(), checks: count, checkMs: ms, rows };
}

async function burst(platform: Platform, args: readonly string[]): Promise<void> {
  const config = await loadConfig(argValue(args, "config"), platform);
  const app = createApp(config, { platform, log: silentLogger });
  const server = await platform.serve({
    hostname: "127.0.0.1",
    port: 0,
    handler: app.handler,
  });
  console.log(JSON.stringify({ port: server.port }));
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() !== "stats") continue;
    const stats: BurstStats = {
      evaluations: app.health.evaluations,
      checkMs: app.health.last?.checks[0]?.durationMs ?? Number.NaN,
    };
    console.log(JSON.stringify(stats));
  }
  await server.shutdown(500);
  app.health.close();
}

if (import.meta.main) {
  const [mode, ...args] = scriptArgs();
  const platform = detectPlatform();
  if (mode === "fanout") console.log(JSON.stringify(await fanout(platform, args)));
  else if (mode === "burst") await burst(platform, args);
  else throw new Error(`usage: fanout_burst.ts fanout|burst ...; got ${mode}`);
  process.exit(0);
}
