// vitals against real servers nobody on this project wrote, out of process:
// nginx, Go's net/http and grpc-go, Python's http.server, openssl s_server,
// redis-server and a raw-socket server that misbehaves (peers.ts). Every case
// of cases.ts (server × option → verdict) is a check of ONE `vitals serve`
// per target: the runtime running the tests (Deno under `deno test`, Bun
// under `bun test`) and, under `deno test`, the compiled binary. Each check
// runs at least 3 times; each run's verdict must be the expected status with
// the expected message fragment. Meanwhile vitals must stay alive and answer
// /health/simple within 1 s, and `vitals_internal_errors_total`, where
// /metrics has it, must stay 0. When that one vitals dies, its failure names
// the checks it ran and shows its stderr, and each case without its runs yet
// runs again in a vitals process of its own, so the failing cases name those
// that kill vitals.
//
// INTEROP_ISOLATE=1 runs every case alone from the start (a few processes at
// a time), and INTEROP_CASES=name,name only those cases: to debug them.
// INTEROP_BINARY=1 runs
// the binary under `bun test` too. Without openssl the suite skips; without
// nginx, Go, python3 or redis-server, the cases on that peer skip; each skip
// prints why.

import assert from "node:assert/strict";
import process from "node:process";
import { after, describe, test } from "node:test";
import { compiledBinary } from "../_helpers/binary.ts";
import { vitalsCommand } from "../_helpers/processes.ts";
import { type Case, CASES, expectedMessage, serverOf } from "./cases.ts";
import { ENDPOINTS } from "./endpoints.ts";
import { missingSuite, type Peers, startPeers } from "./peers.ts";
import {
  MIN_RUNS,
  PROBE_BOUND_MS,
  runFailure,
  runTarget,
  tail,
  type TargetRun,
} from "./run_vitals.ts";

const RUNTIME = "Bun" in globalThis ? "bun" : "deno";
const ISOLATE = process.env.INTEROP_ISOLATE === "1";
/** How many vitals processes run at once when cases run alone (2 cores here). */
const ISOLATED_AT_ONCE = 3;
/** How often a check runs when it runs alone. */
const ISOLATED_INTERVAL_MS = 300;
/** INTEROP_CASES=a,b: only these cases (by name), to debug them. */
const ONLY = process.env.INTEROP_CASES?.split(",").map((name) => name.trim()).filter(Boolean);

/** One way of running vitals: the first word of each test name, and the command. */
interface Target {
  readonly name: string;
  command(): Promise<string[]>;
}

const TARGETS: readonly Target[] = [
  { name: RUNTIME, command: () => Promise.resolve(vitalsCommand()) },
  // The binary is Bun's build of the same code: once per gate is enough.
  ...(RUNTIME === "deno" || process.env.INTEROP_BINARY === "1"
    ? [{ name: "binary", command: async () => [await compiledBinary()] }]
    : []),
];

// Peers start at load time, not in a hook: a first build of the Go peers
// takes about 40 s, past Bun's 5 s limit for a hook.
const noSuite = missingSuite();
const setupStarted = performance.now();
const peers: Peers | undefined = noSuite ? undefined : await startPeers();
if (peers) {
  console.log(
    `interop: ${Object.keys(peers.ports).length} peer endpoints up in ${
      Math.round(performance.now() - setupStarted)
    } ms`,
  );
  const reasons = new Set(Object.values(peers.missing));
  for (const reason of reasons) console.log(`interop: skipping cases: ${reason}`);
}
after(() => peers?.stop());

/** Why a case cannot run here, or `false`. */
function skipOf(kase: Case): string | false {
  if (noSuite) return noSuite;
  if (ONLY !== undefined && !ONLY.includes(kase.name)) return "not in INTEROP_CASES";
  return peers?.missing[kase.endpoint] ?? false;
}

const runnable = CASES.filter((kase) => skipOf(kase) === false);

/** A semaphore for isolated runs. */
let slots = ISOLATED_AT_ONCE;
const waiting: (() => void)[] = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  while (slots === 0) await new Promise<void>((resolve) => waiting.push(resolve));
  slots--;
  try {
    return await work();
  } finally {
    slots++;
    waiting.shift()?.();
  }
}

/**
 * The runs of each target: one vitals for all cases; when that one dies, each
 * case without its runs yet runs again alone (a few at a time), so the cases
 * that kill vitals are named by their own failures. With INTEROP_ISOLATE=1
 * every case runs alone from the start.
 */
function runsOf(target: Target) {
  let shared: Promise<TargetRun> | undefined;
  const alone = new Map<string, Promise<TargetRun>>();
  const isolate = (cases: readonly Case[]) => {
    for (const one of cases) {
      if (alone.has(one.name)) continue;
      alone.set(
        one.name,
        limited(async () =>
          runTarget(target.name, await target.command(), [one], peers!, ISOLATED_INTERVAL_MS)
        ),
      );
    }
  };
  const all = () =>
    shared ??= (async () => {
      const run = await runTarget(target.name, await target.command(), runnable, peers!);
      console.log(
        `${target.name}: ${runnable.length} cases in one vitals, ${
          (run.elapsedMs / 1000).toFixed(1)
        } s`,
      );
      if (runFailure(run) !== undefined) {
        const unfinished = runnable.filter((kase) =>
          (run.samples.get(kase.name)?.length ?? 0) < MIN_RUNS
        );
        console.log(
          `${target.name}: vitals died; running the ${unfinished.length} unfinished cases alone`,
        );
        isolate(unfinished);
      }
      return run;
    })();
  return {
    /** The run that decides `kase`: its own when it ran alone, else the shared one. */
    async of(kase: Case): Promise<TargetRun> {
      if (ISOLATE) isolate(runnable);
      else await all();
      return await (alone.get(kase.name) ?? all());
    },
    /** The runs that hold every case: the shared one, or with INTEROP_ISOLATE=1 each case's. */
    every(): Promise<TargetRun[]> {
      return ISOLATE
        ? Promise.all(runnable.map((kase) => this.of(kase)))
        : all().then((run) => [run]);
    },
  };
}

/** What a case's runs showed, for a failure message. */
function shown(run: TargetRun, kase: Case): string {
  const runs = run.samples.get(kase.name) ?? [];
  return runs.map((sample, i) =>
    `  run ${i + 1}: ${sample.status} ${JSON.stringify(sample.message)}`
  )
    .join("\n") || "  (no run)";
}

/** Asserts that every run of `kase` in `run` had the expected verdict and message. */
function assertCase(run: TargetRun, kase: Case): void {
  const port = peers!.ports[kase.endpoint]!;
  const want = expectedMessage(kase, port);
  const runs = run.samples.get(kase.name) ?? [];
  const expected = `expected ${kase.expect} with ${
    want.map((text) => JSON.stringify(text)).join(" and ")
  }`;
  const alone = run.checks.length !== 1
    ? ""
    : ISOLATE
    ? " (run alone)"
    : " (run alone: the shared vitals died)";
  if (runs.length < MIN_RUNS) {
    const why = run.died !== undefined
      ? `vitals exited (${run.died.code}) ${run.died.afterMs} ms after it started`
      : run.startFailure ??
        `vitals kept running, but the check's runs did not end in ${
          (run.elapsedMs / 1000).toFixed(1)
        } s: a run outlived its timeout`;
    assert.fail(
      `${kase.name}${alone}: ${runs.length} of ${MIN_RUNS} runs seen (${why}), ${expected}:\n${
        shown(run, kase)
      }\nvitals' stderr:\n${tail(run.stderr, 1_500)}`,
    );
  }
  const wrong = runs.filter((sample) =>
    sample.status !== kase.expect || !want.every((text) => sample.message.includes(text)) ||
    (kase.absent ?? []).some((text) => sample.message.includes(text))
  );
  if (wrong.length > 0) {
    assert.fail(
      `${kase.name}${alone} (${kase.kind} ${kase.option}, against ${
        serverOf(kase.endpoint)
      } on port ${port}): ${expected}${
        kase.absent ? ` and without ${JSON.stringify(kase.absent)}` : ""
      }; got:\n${shown(run, kase)}`,
    );
  }
}

/** Asserts that vitals lived through the run, answered every probe in time, and counted no internal error. */
function assertHealthy(run: TargetRun): void {
  const failure = runFailure(run);
  if (failure !== undefined) assert.fail(failure);
  const late = run.probes.filter((probe) => probe.ms === undefined || probe.status === undefined);
  assert.ok(run.probes.length > 0, `${run.target}: no /health/simple probe was made`);
  if (late.length > 0) {
    assert.fail(
      `${run.target}: /health/simple did not answer within ${PROBE_BOUND_MS} ms ${late.length} times of ${run.probes.length} (${
        run.checks.join(", ")
      }): ${late.map((probe) => probe.error).join("; ")}`,
    );
  }
  if (run.internalErrors !== undefined && run.internalErrors !== 0) {
    assert.fail(
      `${run.target}: vitals_internal_errors_total is ${run.internalErrors} (${
        run.checks.join(", ")
      }); stderr:\n${tail(run.stderr)}`,
    );
  }
}

/** One line on what the runs showed: how long, the probes, the guard metric. */
function summary(runs: readonly TargetRun[]): string {
  const probes = runs.flatMap((run) => run.probes);
  const answered = probes.flatMap((probe) => probe.ms === undefined ? [] : [probe.ms]);
  const slowest = Math.max(0, ...answered);
  const errors = runs.map((run) => run.internalErrors);
  const longest = Math.max(...runs.map((run) => run.elapsedMs));
  return `${runs.length} vitals process${runs.length === 1 ? "" : "es"} (longest ${
    (longest / 1000).toFixed(1)
  } s); ${probes.length} /health/simple probes, ${
    probes.length - answered.length
  } unanswered within ${PROBE_BOUND_MS} ms, the slowest answer ${Math.round(slowest)} ms; ` +
    `vitals_internal_errors_total ${
      errors.includes(undefined) ? "not exported" : errors.reduce((a, b) => a! + b!, 0)
    }`;
}

for (const target of TARGETS) {
  describe(`${target.name}`, () => {
    const runs = runsOf(target);
    test(
      `${target.name}: vitals runs every interop case ${MIN_RUNS} times without dying, answers /health/simple within ${PROBE_BOUND_MS} ms, and counts no internal error`,
      { skip: noSuite || runnable.length === 0, timeout: 600_000 },
      async () => {
        const all = await runs.every();
        console.log(`${target.name}: ${summary(all)}`);
        for (const run of all) assertHealthy(run);
      },
    );
    for (const kase of CASES) {
      const where = `${serverOf(kase.endpoint)}, ${ENDPOINTS[kase.endpoint].serves}`;
      test(
        `${target.name}: ${kase.name}: ${kase.kind} ${kase.option} against ${where} is ${kase.expect}`,
        { skip: skipOf(kase), timeout: 600_000 },
        async () => assertCase(await runs.of(kase), kase),
      );
    }
  });
}
