// The guard against uncaught errors, proven with real ones inside vitals as it
// really runs: on the runtime running the tests (main.ts) and as the shipped
// binary, built exactly as `deno task compile:bun` builds it. Nothing in vitals
// helps: tests/fixtures/fault_preload.ts is loaded before main.ts (Deno's and
// Bun's --preload; the binary honours BUN_OPTIONS="--preload ...") and, on each
// SIGUSR2, throws from a timer, a stream 'data' listener, a microtask or an
// EventTarget listener, or rejects a promise nobody awaits.
//
// `serve` must keep answering, log each error once with its stack (secrets
// masked), count every one in vitals_internal_errors_total and still exit 0 on
// SIGTERM. `check`, `probe` and `validate`, caught mid-command (waiting on a
// Python socket that never answers, or on a FIFO), must end with code 1 and
// "vitals: internal error: ...", not the runtime's own report.

import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { open, readdir, readlink, rm } from "node:fs/promises";
import process from "node:process";
import { after, test } from "node:test";
import { FAULTS, REPEATS } from "../fixtures/fault_preload.ts";
import { ROOT, tempDir, tempFile } from "../_helpers/files.ts";
import { eventually } from "../_helpers/waits.ts";
import { compileArgs } from "../_helpers/binary.ts";
import {
  exitWithin,
  fetchJson,
  type Running,
  runVitals,
  serveConfig,
  signal,
  start,
  stop,
} from "../_helpers/processes.ts";
import { firstStatus, waitForEntry } from "../_helpers/serve_log.ts";

const RUNTIME = "Bun" in globalThis ? "bun" : "deno";
const PRELOAD = `${ROOT}tests/fixtures/fault_preload.ts`;
/** A config secret (a command check's env value) that every fault's message carries. */
const SECRET = "s3cr3t-guard-token";

/** One way of running vitals with the fault preload. */
interface Target {
  readonly name: string;
  command(): Promise<string[]>;
  /** The environment that loads the preload, besides the faults' own. */
  readonly env: Record<string, string>;
}

let binaryDir: string | undefined;
let built: Promise<string> | undefined;

/** The shipped binary, built once per run of this file into a temporary directory. */
function binary(): Promise<string> {
  built ??= (async () => {
    binaryDir = await tempDir();
    const out = `${binaryDir}/vitals`;
    const bun = "Bun" in globalThis ? [process.execPath] : ["npx", "-y", "bun@1.4.4"];
    const result = await runVitals(compileArgs(out), { command: bun, timeoutMs: 120_000 });
    assert.equal(result.code, 0, `bun build --compile failed:\n${result.stdout}${result.stderr}`);
    return out;
  })();
  return built;
}

after(async () => {
  if (binaryDir !== undefined) await rm(binaryDir, { recursive: true, force: true });
});

const TARGETS: readonly Target[] = [
  {
    name: RUNTIME,
    command: () =>
      Promise.resolve(
        RUNTIME === "bun"
          ? [process.execPath, "--preload", PRELOAD, "main.ts"]
          : [process.execPath, "run", "--allow-all", "--preload", PRELOAD, "main.ts"],
      ),
    env: {},
  },
  {
    name: "binary",
    command: async () => [await binary()],
    env: { BUN_OPTIONS: `--preload ${PRELOAD}` },
  },
];

/** One line of serve's JSON log, with the guard's `stack` field. */
interface Line {
  level: string;
  msg: string;
  stack?: string;
}

function lines(stderr: string): Line[] {
  return stderr.split("\n").filter((line) => line.startsWith("{")).map((line) =>
    JSON.parse(line) as Line
  );
}

async function internalErrors(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^vitals_internal_errors_total (\d+)$/m.exec(text);
  assert.ok(match, `vitals_internal_errors_total is exported:\n${text}`);
  return Number(match[1]);
}

function sendFault(running: Running): void {
  process.kill(running.child.pid!, "SIGUSR2");
}

for (const target of TARGETS) {
  test(`${target.name}: serve survives real uncaught errors, logs each once with its stack and counts them`, async () => {
    const served = await serveConfig(
      "guard.yaml",
      `checks:\n  - name: gate\n    type: command\n    command: ["true"]\n    env: { TOKEN: "${SECRET}" }\n`,
      {
        command: await target.command(),
        env: { ...target.env, FAULT_PRELOAD: "1", FAULT_SECRET: SECRET },
        args: ["--log-format", "json"],
      },
    );
    try {
      await firstStatus(served, "UP");
      assert.equal(await internalErrors(served.url), 0, "the family is there before any error");
      let caused = 0;
      for (const [index, fault] of FAULTS.entries()) {
        sendFault(served);
        caused += fault.errors;
        await waitForEntry(served, "error", new RegExp(`keeps running: \\w+: fault ${index + 1} `));
        const counted = await eventually(
          async () => await internalErrors(served.url) === caused,
          10_000,
        );
        assert.ok(counted, `after ${fault.name}: ${await internalErrors(served.url)} != ${caused}`);
        const simple = await fetchJson(`${served.url}/health/simple`);
        assert.deepEqual([simple.status, simple.body], [200, { status: "UP" }], fault.name);
      }
      signal(served, "SIGTERM");
      assert.equal(await exitWithin(served, 15_000), 0, served.stderr);
      const logged = lines(served.stderr);
      for (const [index, fault] of FAULTS.entries()) {
        const pattern = new RegExp(`: \\w+: fault ${index + 1} `);
        const withStack = logged.filter((line) => pattern.test(line.msg) && line.stack);
        assert.equal(withStack.length, 1, `${fault.name}: logged once with its stack`);
        const [line] = withStack;
        assert.equal(line!.level, "error");
        assert.match(
          line!.stack!,
          new RegExp(`fault ${index + 1} [^]*\\n\\s+at .*fault_preload\\.ts`),
        );
      }
      // The hot loop's repeats: one line with their count, when the guard stops.
      const repeats = logged.filter((line) => /repeated \d+ times .*fault 6 /.test(line.msg));
      assert.equal(repeats.length, 1, served.stderr);
      assert.match(repeats[0]!.msg, new RegExp(`repeated ${REPEATS - 1} times before the guard`));
      assert.equal(
        logged.filter((line) => line.level === "error").length,
        FAULTS.length + 1,
        "no other error line",
      );
      assert.ok(!served.stderr.includes(SECRET), "the config's secret is masked everywhere");
      assert.match(
        served.stderr,
        /from http:\/\/\*\*\*@127\.0\.0\.1:9\/x/,
        "URL credentials are masked",
      );
    } finally {
      await stop(served);
    }
  });
}

// ---------------------------------------------------------------------------
// One-shot commands

/** Why the one-shot tests cannot run, or `false`. */
function missingPython(): string | false {
  const ran = spawnSync("python3", ["--version"], { encoding: "utf8" });
  if (!ran.error && ran.status === 0) return false;
  const reason = `python3 is not installed (${ran.error?.message ?? `exit ${ran.status}`})`;
  console.log(`skipping the one-shot guard tests: ${reason}; .ci/run installs it`);
  return reason;
}
const noPython = missingPython();

/** A Python listener that accepts connections and never answers; prints each accept. */
interface Silent {
  readonly child: ChildProcess;
  readonly port: number;
  /** How many connections it has accepted. */
  accepted(): number;
}

const SILENT = `
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept(); held.append(c); print("accepted", flush=True)
`;

async function silentServer(): Promise<Silent> {
  const child = spawn("python3", ["-c", SILENT], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (chunk: Uint8Array) => (out += new TextDecoder().decode(chunk)));
  assert.ok(await eventually(() => /^\d+\n/.test(out), 10_000), "the Python listener started");
  return {
    child,
    port: Number(out.split("\n")[0]),
    accepted: () => out.split("\n").filter((line) => line === "accepted").length,
  };
}

/** Whether process `pid` has `path` open. */
async function holds(pid: number, path: string): Promise<boolean> {
  try {
    for (const fd of await readdir(`/proc/${pid}/fd`)) {
      if (await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "") === path) return true;
    }
  } catch {
    // Gone.
  }
  return false;
}

/**
 * Starts vitals with `args` and the preload set to cause fault `first`, waits
 * until `busy` says it is mid-command, causes the fault, and returns how it ended.
 */
async function faultMidCommand(
  target: Target,
  args: string[],
  first: number,
  busy: (running: Running) => boolean | Promise<boolean>,
): Promise<{ code: number | string; stderr: string }> {
  const running = start(args, {
    command: await target.command(),
    env: { ...target.env, FAULT_PRELOAD: "1", FAULT_START: String(first) },
  });
  try {
    assert.ok(await eventually(() => busy(running), 20_000), `mid-command:\n${running.stderr}`);
    sendFault(running);
    return { code: await exitWithin(running, 15_000), stderr: running.stderr };
  } finally {
    await stop(running);
  }
}

/** Asserts vitals' own message for fault `n`, and none of the runtime's report. */
function assertInternalError(ended: { code: number | string; stderr: string }, n: number) {
  assert.equal(ended.code, 1, ended.stderr);
  assert.match(ended.stderr, new RegExp(`^vitals: internal error: \\w+: fault ${n} `));
  assert.match(ended.stderr, /\n\s+at .*fault_preload\.ts/, "with its stack");
  // Deno's report starts "error: Uncaught"; Bun's quotes the source and ends with its version.
  assert.doesNotMatch(ended.stderr, /Uncaught|^Bun v\d|^\s*\d+ \| /m, ended.stderr);
}

for (const target of TARGETS) {
  test(
    `${target.name}: check, probe and validate end with "vitals: internal error" and code 1 on an uncaught error`,
    {
      skip: noPython,
    },
    async () => {
      const silent = await silentServer();
      const fifoDir = await tempDir();
      const fifo = `${fifoDir}/config.yaml`;
      try {
        // check: its http check waits on a socket that never answers; a timer throws.
        const { path } = await tempFile(
          "guard-check.yaml",
          `checks:\n  - name: silent\n    type: http\n    url: "http://127.0.0.1:${silent.port}/"\n    timeout: 20s\n`,
        );
        let before = silent.accepted();
        assertInternalError(
          await faultMidCommand(
            target,
            ["check", "--config", path],
            1,
            () => silent.accepted() > before,
          ),
          1,
        );
        // probe: waiting for the answer; a promise is rejected with no handler.
        before = silent.accepted();
        const url = `http://127.0.0.1:${silent.port}/health/simple`;
        assertInternalError(
          await faultMidCommand(
            target,
            ["probe", "--url", url, "--timeout", "20s"],
            3,
            () => silent.accepted() > before,
          ),
          3,
        );
        // validate: reading a FIFO nobody writes to; a stream 'data' listener throws.
        const made = spawnSync("mkfifo", [fifo], { encoding: "utf8" });
        assert.equal(made.status, 0, made.stderr);
        // Read-write: opening does not wait for vitals, and vitals' read waits for data.
        const writer = await open(fifo, "r+");
        try {
          assertInternalError(
            await faultMidCommand(
              target,
              ["validate", "--config", fifo],
              2,
              (running) => holds(running.child.pid!, fifo),
            ),
            2,
          );
        } finally {
          await writer.close();
        }
      } finally {
        silent.child.kill("SIGKILL");
        await rm(fifoDir, { recursive: true, force: true });
      }
    },
  );
}
