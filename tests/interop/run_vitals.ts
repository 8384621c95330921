/**
 * Runs one `vitals serve` with a set of interop cases as its checks (all
 * `critical: false`, background mode) and collects what it said: every
 * distinct run's verdict of every check, read from `/health`, until each
 * check ran at least {@link MIN_RUNS} times; how long `/health/simple` took
 * to answer meanwhile (bounded at 1 s, what kubelet allows a probe); the
 * guard metric `vitals_internal_errors_total` when vitals has it; and, when
 * the process died, how and what it wrote to stderr.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import process from "node:process";
import { tempDir } from "../_helpers/files.ts";
import { sleep } from "../_helpers/waits.ts";
import { type Running, start } from "../_helpers/processes.ts";
import { type Case, checkConfig } from "./cases.ts";
import type { Peers } from "./peers.ts";

/** Runs of each check to wait for. */
export const MIN_RUNS = 3;

/** The longest a check takes to end a run: the longest timeout of a case, 2 s, and the grace after it. */
const LONGEST_RUN_MS = 2_250;

/** How long kubelet waits for a probe by default: `/health/simple` must answer within it. */
export const PROBE_BOUND_MS = 1_000;

/** One run of one check, as `/health` showed it. */
export interface Sample {
  readonly status: string;
  readonly message: string;
  readonly checkedAt: string;
}

/** One `/health/simple` request made while the checks ran. */
export interface Probe {
  /** How long it took, or `undefined` when no answer came within {@link PROBE_BOUND_MS}. */
  readonly ms: number | undefined;
  readonly status: number | undefined;
  readonly error?: string;
}

/** What one vitals process said about its cases. */
export interface TargetRun {
  readonly target: string;
  readonly checks: readonly string[];
  readonly samples: ReadonlyMap<string, readonly Sample[]>;
  readonly probes: readonly Probe[];
  /** `vitals_internal_errors_total` summed over its series, or `undefined` when /metrics has none. */
  readonly internalErrors: number | undefined;
  /** Set when vitals exited before the run ended: the exit code or signal, and when. */
  readonly died: { readonly code: number | string; readonly afterMs: number } | undefined;
  /** Set when vitals never said it was listening. */
  readonly startFailure: string | undefined;
  readonly stderr: string;
  readonly elapsedMs: number;
}

/**
 * The vitals config for `cases` against `peers` (JSON, which is YAML): each
 * check re-runs every `intervalMs`.
 */
export function configFor(cases: readonly Case[], peers: Peers, intervalMs = 1_000): string {
  return JSON.stringify(
    {
      cache: { mode: "background", ttl: `${intervalMs}ms` },
      pool: { size: 32 },
      defaults: { timeout: "2s", critical: false },
      checks: cases.map((kase) => checkConfig(kase, peers.ports[kase.endpoint]!, peers.certs)),
    },
    null,
    2,
  );
}

/** Whether the process is still running. */
function alive(running: Running): boolean {
  return running.child.exitCode === null && running.child.signalCode === null;
}

/** GETs `url` within `ms`: the status and the body, or why not. */
async function get(
  url: string,
  ms: number,
): Promise<{ status: number; body: string; ms: number } | { error: string }> {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(ms) });
    const body = await response.text();
    return { status: response.status, body, ms: performance.now() - started };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** Waits for "listening on <url>" in stderr; `undefined` when vitals exits first or 30 s pass. */
async function listening(running: Running): Promise<string | undefined> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)\D/.exec(running.stderr)?.[1];
    if (url !== undefined) return url;
    if (!alive(running)) return undefined;
    await sleep(25);
  }
  return undefined;
}

/** Stops vitals by its PID: SIGTERM, then SIGKILL after 5 s. */
async function stopVitals(running: Running): Promise<void> {
  if (!alive(running)) return;
  try {
    process.kill(running.child.pid!, "SIGTERM");
  } catch {
    // Gone meanwhile.
  }
  const exited = await Promise.race([running.exited.then(() => true), sleep(5_000)]);
  if (exited !== true && alive(running)) running.child.kill("SIGKILL");
  await running.exited;
}

/**
 * Serves `cases` with `command` (vitals on one runtime), each check re-run
 * every `intervalMs`, and collects what it says until every check ran
 * {@link MIN_RUNS} times, vitals dies, or a deadline passes (15 s more than
 * those runs take); then stops it.
 */
export async function runTarget(
  target: string,
  command: string[],
  cases: readonly Case[],
  peers: Peers,
  intervalMs = 1_000,
): Promise<TargetRun> {
  const dir = await tempDir();
  const config = `${dir}/interop.yaml`;
  writeFileSync(config, configFor(cases, peers, intervalMs));
  const checks = cases.map((kase) => kase.name);
  const samples = new Map<string, Sample[]>(checks.map((name) => [name, []]));
  const probes: Probe[] = [];
  const started = performance.now();
  // The trust store CA, as an operator adds a private CA to the runtime's roots.
  const env = { DENO_CERT: peers.certs.storeCa, NODE_EXTRA_CA_CERTS: peers.certs.storeCa };
  const running = start(
    ["serve", "--config", config, "--host", "127.0.0.1", "--port", "0"],
    { command, env },
  );
  let died: TargetRun["died"];
  running.exited.then((code) => {
    died ??= { code, afterMs: Math.round(performance.now() - started) };
  });
  let internalErrors: number | undefined;
  let startFailure: string | undefined;
  try {
    const url = await listening(running);
    if (url === undefined) {
      startFailure = alive(running)
        ? "vitals did not say it was listening within 30 s"
        : "vitals exited before it listened";
    } else {
      // Ample for MIN_RUNS runs of the slowest check, on a busy machine; a check that
      // has not run by then hangs past its timeout, and its case fails saying so.
      const deadline = performance.now() + 15_000 + MIN_RUNS * (intervalMs + LONGEST_RUN_MS);
      const done = () => [...samples.values()].every((runs) => runs.length >= MIN_RUNS);
      while (!done() && alive(running) && performance.now() < deadline) {
        const [health, simple] = await Promise.all([
          get(`${url}/health`, 5_000),
          get(`${url}/health/simple`, PROBE_BOUND_MS),
        ]);
        probes.push(
          "error" in simple
            ? { ms: undefined, status: undefined, error: simple.error }
            : { ms: simple.ms, status: simple.status },
        );
        if (!("error" in health)) {
          try {
            const body = JSON.parse(health.body) as { checks?: (Sample & { name: string })[] };
            for (const check of body.checks ?? []) {
              const runs = samples.get(check.name);
              if (runs === undefined || typeof check.checkedAt !== "string") continue;
              if (runs.at(-1)?.checkedAt === check.checkedAt) continue;
              runs.push({
                status: check.status,
                message: check.message,
                checkedAt: check.checkedAt,
              });
            }
          } catch {
            // Not JSON: vitals is in trouble; the probes and the exit say so.
          }
        }
        await sleep(200);
      }
      if (alive(running)) {
        const metrics = await get(`${url}/metrics`, 5_000);
        if (!("error" in metrics)) {
          const series = [
            ...metrics.body.matchAll(/^vitals_internal_errors_total(?:\{[^}]*\})? (\S+)$/gm),
          ];
          if (series.length > 0) {
            internalErrors = series.reduce((sum, [, value]) => sum + Number(value), 0);
          }
        }
      }
    }
  } finally {
    // Whether it died is read before stopping it: a stop is not a death.
    const stoppedByUs = alive(running);
    await stopVitals(running);
    if (stoppedByUs) died = undefined;
    await rm(dir, { recursive: true, force: true });
  }
  return {
    target,
    checks,
    samples,
    probes,
    internalErrors,
    died,
    startFailure,
    stderr: running.stderr,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** The last `chars` characters of `text`, marked when cut. */
export function tail(text: string, chars = 4_000): string {
  return text.length <= chars ? text : `...${text.slice(-chars)}`;
}

/**
 * Why a run went wrong as a whole (vitals died or never listened), naming
 * the checks it ran and those without a verdict yet, with vitals' stderr;
 * `undefined` when it did not.
 */
export function runFailure(run: TargetRun): string | undefined {
  if (run.died === undefined && run.startFailure === undefined) return undefined;
  const pending = run.checks.filter((name) => (run.samples.get(name)?.length ?? 0) === 0);
  const how = run.startFailure ??
    `vitals exited (${run.died!.code}) ${run.died!.afterMs} ms after it started`;
  return [
    `${run.target}: ${how}, running ${run.checks.length} checks: ${run.checks.join(", ")}.`,
    pending.length === 0
      ? "Every check had a verdict by then."
      : `Checks without a verdict yet: ${pending.join(", ")}.`,
    "INTEROP_ISOLATE=1 runs each case in a vitals process of its own.",
    `vitals' stderr:\n${tail(run.stderr)}`,
  ].join("\n");
}
