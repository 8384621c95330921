/**
 * Judges the targets, each as a ratio between figures of the same run:
 * serving against the bare runtime server and nginx, memory, start-up, the
 * cost of a check against its raw primitive, fan-out against the ideal, and
 * the burst at expiry.
 *
 * @module
 */

import { ratio } from "./stats.ts";
import type { BurstRow, CheckCostRow, FanoutRow, ServeRow, StartupRow, Target } from "./types.ts";

/** The limits, as the issue states them. */
export const LIMITS = {
  servingVsBare: 0.9,
  servingVsNginx: 0.85,
  peakRssVsBare: 1.3,
  startupVsBare: 1.5,
  idleRssVsBare: 1.3,
  checkVsRaw: 1.25,
  fanoutFactor: 1.1,
  fanoutSlackMs: 5,
  burstSlackMs: 20,
} as const;

const x = (value: number) => `${value.toFixed(2)}×`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

function servingTargets(serve: readonly ServeRow[]): Target[] {
  const targets: Target[] = [];
  const byId = new Map(serve.map((row) => [row.id, row]));
  const nginx = serve.find((row) => row.program === "nginx");
  for (const row of serve.filter((r) => r.program === "vitals")) {
    const bare = row.baseline ? byId.get(row.baseline) : undefined;
    if (bare) {
      const r = ratio(row.reqPerSec.median, bare.reqPerSec.median);
      targets.push({
        id: `serve-bare ${row.id}`,
        description: `${row.id} req/s vs ${bare.id}`,
        measured: `${Math.round(row.reqPerSec.median)} vs ${
          Math.round(bare.reqPerSec.median)
        } req/s = ${x(r)}`,
        limit: `≥ ${LIMITS.servingVsBare}×`,
        met: r >= LIMITS.servingVsBare,
      });
      const m = ratio(row.peakRssMb.median, bare.peakRssMb.median);
      targets.push({
        id: `peak-rss ${row.id}`,
        description: `${row.id} peak RSS under load vs ${bare.id}`,
        measured: `${row.peakRssMb.median.toFixed(1)} vs ${bare.peakRssMb.median.toFixed(1)} MB = ${
          x(m)
        }`,
        limit: `≤ ${LIMITS.peakRssVsBare}×`,
        met: m <= LIMITS.peakRssVsBare,
      });
    }
    if (nginx) {
      const r = ratio(row.reqPerSec.median, nginx.reqPerSec.median);
      targets.push({
        id: `serve-nginx ${row.id}`,
        description: `${row.id} req/s vs nginx`,
        measured: `${Math.round(row.reqPerSec.median)} vs ${
          Math.round(nginx.reqPerSec.median)
        } req/s = ${x(r)}`,
        limit: `≥ ${LIMITS.servingVsNginx}×`,
        met: r >= LIMITS.servingVsNginx,
      });
    }
  }
  return targets;
}

function startupTargets(startup: readonly StartupRow[]): Target[] {
  const vitals = startup.find((row) => row.program === "vitals");
  const bare = startup.find((row) => row.program === "bare");
  if (!vitals || !bare) return [];
  const s = ratio(vitals.firstAnswerMs.median, bare.firstAnswerMs.median);
  const m = ratio(vitals.idleRssMb.median, bare.idleRssMb.median);
  return [
    {
      id: "startup compiled",
      description: "compiled vitals start to first 200 vs compiled bare Bun server",
      measured: `${ms(vitals.firstAnswerMs.median)} vs ${ms(bare.firstAnswerMs.median)} = ${x(s)}`,
      limit: `≤ ${LIMITS.startupVsBare}×`,
      met: s <= LIMITS.startupVsBare,
    },
    {
      id: "idle-rss compiled",
      description: "compiled vitals idle RSS vs compiled bare Bun server",
      measured: `${vitals.idleRssMb.median.toFixed(1)} vs ${
        bare.idleRssMb.median.toFixed(1)
      } MB = ${x(m)}`,
      limit: `≤ ${LIMITS.idleRssVsBare}×`,
      met: m <= LIMITS.idleRssVsBare,
    },
  ];
}

function checkCostTargets(rows: readonly CheckCostRow[]): Target[] {
  return rows.map((row) => {
    const r = ratio(row.vitalsUs.median, row.rawUs.median);
    return {
      id: `check-cost ${row.runtime} ${row.kind} ${row.n}`,
      description: `${row.kind} check x${row.n} on ${row.runtime}, per check vs raw primitive`,
      measured: `${Math.round(row.vitalsUs.median)} vs ${Math.round(row.rawUs.median)} µs = ${
        x(r)
      }`,
      limit: `≤ ${LIMITS.checkVsRaw}×`,
      met: r <= LIMITS.checkVsRaw,
    };
  });
}

/** The fan-out limit for an ideal time: 1.1 x ideal + 5 ms. */
export function fanoutLimitMs(idealMs: number): number {
  return LIMITS.fanoutFactor * idealMs + LIMITS.fanoutSlackMs;
}

function fanoutTargets(rows: readonly FanoutRow[]): Target[] {
  return rows.map((row) => {
    const limit = fanoutLimitMs(row.idealMs);
    return {
      id: `fanout ${row.runtime} ${row.poolSize}`,
      description:
        `${row.checks} checks of ${row.checkMs} ms, pool ${row.poolSize}, on ${row.runtime}`,
      measured: `${ms(row.wallMs.median)} vs ideal ${ms(row.idealMs)} = ${
        x(ratio(row.wallMs.median, row.idealMs))
      }`,
      limit: `≤ ${ms(limit)}`,
      met: row.wallMs.median <= limit,
    };
  });
}

function burstTargets(rows: readonly BurstRow[]): Target[] {
  return rows.flatMap((row) => [
    {
      id: `burst-evaluations ${row.runtime}`,
      description:
        `${row.requests} concurrent requests on a cold cache, on ${row.runtime}: evaluations`,
      measured: `${row.evaluations.join(", ")} (one per repetition)`,
      limit: "exactly 1",
      met: row.evaluations.every((n) => n === 1) && row.failures === 0,
    },
    {
      id: `burst-p99 ${row.runtime}`,
      description: `${row.requests} concurrent requests on a cold cache, on ${row.runtime}: p99`,
      measured: `p99 ${ms(row.p99Ms.median)}, evaluation ${ms(row.evalMs.median)}, over by ${
        ms(row.overMs.median)
      }`,
      limit: `≤ evaluation + ${LIMITS.burstSlackMs} ms`,
      met: row.overMs.median <= LIMITS.burstSlackMs,
    },
  ]);
}

/** Every target over the run's rows. */
export function judge(parts: {
  serve: readonly ServeRow[];
  startup: readonly StartupRow[];
  checkCost: readonly CheckCostRow[];
  fanout: readonly FanoutRow[];
  burst: readonly BurstRow[];
}): Target[] {
  return [
    ...servingTargets(parts.serve),
    ...startupTargets(parts.startup),
    ...checkCostTargets(parts.checkCost),
    ...fanoutTargets(parts.fanout),
    ...burstTargets(parts.burst),
  ];
}
