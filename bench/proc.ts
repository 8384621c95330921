/**
 * Process helpers for the benchmark runner (Deno only): starts children pinned
 * to a core with `taskset`, remembers every PID it started and stops exactly
 * those, and reads CPU time and memory from `/proc`.
 *
 * @module
 */

/** Which core a child runs on: the server's, the load generator's, or no pinning. */
export type Side = "server" | "load" | "none";

/** The `taskset` core for each side; `undefined` when pinning is off (one core). */
export interface Pinning {
  readonly server: number | undefined;
  readonly load: number | undefined;
}

/** A child the runner started and is responsible for. */
export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly child: Deno.ChildProcess;
  /** Resolves with the exit code when the child ends. */
  readonly exited: Promise<number>;
  /** The last few KiB of its standard error, for failure messages. */
  stderrTail(): string;
  /**
   * Resolves with the next line of its standard output (children print their
   * port and stats as lines); with `""` once the output has ended.
   */
  nextLine(): Promise<string>;
}

/** What {@link Procs.run} returns for a child run to completion. */
export interface Finished {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const TAIL = 8192;

/** Arguments for `vitals serve` on 127.0.0.1 at `port` with `config`. */
export const vitalsServeArgs = (config: string, port: number): string[] => [
  "serve",
  "--config",
  config,
  "--port",
  String(port),
  "--host",
  "127.0.0.1",
];

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

async function drainText(
  stream: ReadableStream<Uint8Array>,
  onText: (text: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  try {
    for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
  } catch {
    // The child went away; what was read is kept.
  }
}

/** Splits text into lines and hands them out in order, waiting for the next when needed. */
class LineQueue {
  #partial = "";
  readonly #lines: string[] = [];
  readonly #waiting: ((line: string) => void)[] = [];
  #ended = false;

  push(text: string): void {
    const parts = (this.#partial + text).split("\n");
    this.#partial = parts.pop() ?? "";
    for (const line of parts) this.#give(line);
  }

  end(): void {
    if (this.#partial !== "") this.#give(this.#partial);
    this.#partial = "";
    this.#ended = true;
    for (const waiter of this.#waiting.splice(0)) waiter("");
  }

  next(): Promise<string> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#ended) return Promise.resolve("");
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #give(line: string): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter(line);
    else if (this.#lines.length < 1000) this.#lines.push(line);
  }
}

/**
 * Starts and stops the runner's children. Every PID it starts is recorded, and
 * {@link Procs.stopAll} ends exactly those (never anything found by name).
 */
export class Procs {
  readonly #live = new Map<number, Started>();
  readonly #pinning: Pinning;
  /** Extra PIDs that belong to a started child (nginx workers), stopped after it. */
  readonly #extra = new Map<number, { pid: number; startTime: string }[]>();

  constructor(pinning: Pinning) {
    this.#pinning = pinning;
  }

  /** The argv prefix that pins a child to `side`'s core (empty without pinning). */
  pin(side: Side): string[] {
    const core = side === "none" ? undefined : this.#pinning[side];
    return core === undefined ? [] : ["taskset", "-c", String(core)];
  }

  /** Starts `argv` on `side`'s core; stdout is read for its first line, stderr kept as a tail. */
  start(
    name: string,
    argv: readonly string[],
    options: { side: Side; env?: Record<string, string>; cwd?: string; stdin?: boolean },
  ): Started {
    const full = [...this.pin(options.side), ...argv];
    const [program, ...args] = full;
    const child = new Deno.Command(program!, {
      args,
      stdin: options.stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      ...(options.env ? { env: options.env } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    }).spawn();
    let stderr = "";
    void drainText(child.stderr, (text) => {
      stderr = (stderr + text).slice(-TAIL);
    });
    const lines = new LineQueue();
    void drainText(child.stdout, (text) => lines.push(text)).then(() => lines.end());
    const exited = child.status.then((status) => {
      this.#live.delete(child.pid);
      return status.code;
    });
    const started: Started = {
      name,
      pid: child.pid,
      child,
      exited,
      nextLine: () => lines.next(),
      stderrTail: () => stderr,
    };
    this.#live.set(child.pid, started);
    return started;
  }

  /** Runs `argv` on `side`'s core to completion and returns its output. */
  async run(name: string, argv: readonly string[], side: Side): Promise<Finished> {
    const full = [...this.pin(side), ...argv];
    const [program, ...args] = full;
    const child = new Deno.Command(program!, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const started: Started = {
      name,
      pid: child.pid,
      child,
      exited: child.status.then((status) => status.code),
      nextLine: () => Promise.resolve(""),
      stderrTail: () => "",
    };
    this.#live.set(child.pid, started);
    try {
      const output = await child.output();
      const decoder = new TextDecoder();
      return {
        code: output.code,
        stdout: decoder.decode(output.stdout),
        stderr: decoder.decode(output.stderr),
      };
    } finally {
      this.#live.delete(child.pid);
    }
  }

  /** Records PIDs that die with `owner` (for example an nginx worker), so they are stopped too. */
  adopt(owner: number, pids: readonly number[]): void {
    this.#extra.set(owner, pids.map((pid) => ({ pid, startTime: startTime(pid) })));
  }

  /** Stops one child: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(started: Started, graceMs = 2000): Promise<void> {
    if (!this.#live.has(started.pid)) return this.#stopExtra(started.pid);
    signal(started.pid, "SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), graceMs);
    });
    const how = await Promise.race([started.exited, late]);
    clearTimeout(timer);
    if (how === "late") {
      signal(started.pid, "SIGKILL");
      await started.exited;
    }
    this.#stopExtra(started.pid);
  }

  /** Stops every child still running, newest first. */
  async stopAll(): Promise<void> {
    const live = [...this.#live.values()].reverse();
    await Promise.all(live.map((started) => this.stop(started, 1000)));
    for (const owner of [...this.#extra.keys()]) this.#stopExtra(owner);
  }

  #stopExtra(owner: number): void {
    for (const { pid, startTime: started } of this.#extra.get(owner) ?? []) {
      // Only the very process adopted: a PID reused since then has another start time.
      if (alive(pid) && startTime(pid) === started) signal(pid, "SIGKILL");
    }
    this.#extra.delete(owner);
  }
}

function signal(pid: number, name: Deno.Signal): void {
  try {
    Deno.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Whether a process with this PID exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** A process's start time (field 22 of `/proc/PID/stat`), which tells PID reuse apart. */
function startTime(pid: number): string {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

let clockTicks: number | undefined;

/** Clock ticks per second for `/proc/PID/stat` times (`getconf CLK_TCK`, usually 100). */
export function ticksPerSecond(): number {
  if (clockTicks !== undefined) return clockTicks;
  try {
    const out = new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).outputSync();
    const value = Number(new TextDecoder().decode(out.stdout).trim());
    clockTicks = Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    clockTicks = 100;
  }
  return clockTicks;
}

/** User plus system CPU time of a process (all its threads), in microseconds. */
export function cpuMicros(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / ticksPerSecond();
}

/** Busy and total jiffies of one CPU since boot, from `/proc/stat`. */
export interface CoreTimes {
  readonly busy: number;
  readonly total: number;
}

/** Busy (not idle, not iowait) and total time of CPU `core`. */
export function coreTimes(core: number): CoreTimes {
  const line = Deno.readTextFileSync("/proc/stat").split("\n")
    .find((l) => l.startsWith(`cpu${core} `));
  if (!line) return { busy: Number.NaN, total: Number.NaN };
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const total = fields.slice(0, 8).reduce((sum, n) => sum + n, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** The share of time (0..1) CPU `core` was busy between two readings. */
export function busyShare(before: CoreTimes, after: CoreTimes): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : Number.NaN;
}

/** Resident memory now and its peak since start (or the last {@link resetPeak}), in KiB. */
export function memoryKb(pid: number): { rss: number; peak: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const field = (name: string) => {
    const match = status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"));
    return match ? Number(match[1]) : Number.NaN;
  };
  return { rss: field("VmRSS"), peak: field("VmHWM") };
}

/** Resets a process's peak RSS (VmHWM) to its current RSS; false where the kernel refuses. */
export function resetPeak(pid: number): boolean {
  try {
    Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** The direct children of a process (`/proc/PID/task/PID/children`). */
export function childrenOf(pid: number): number[] {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`)
      .trim().split(/\s+/).filter((s) => s !== "").map(Number);
  } catch {
    return [];
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * Polls `url` until it answers 200, as fast as the loop allows; returns the time
 * of the first 200 (`performance.now()`). Throws when `started` exits first or
 * after `timeoutMs`.
 */
export async function waitFor200(
  url: string,
  started: Started | undefined,
  timeoutMs = 15_000,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let exited = false;
  void started?.exited.then(() => (exited = true));
  let last = "no answer";
  while (performance.now() < deadline) {
    if (exited) {
      throw new Error(`${started!.name} exited before answering:\n${started!.stderrTail()}`);
    }
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.status === 200) return performance.now();
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(1);
  }
  throw new Error(`${started?.name ?? url} did not answer 200 within ${timeoutMs} ms (${last})`);
}

/** Whether a program is on the PATH. */
export function onPath(program: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    try {
      const info = Deno.statSync(`${dir}/${program}`);
      if (info.isFile && info.mode !== null && (info.mode & 0o111) !== 0) return true;
    } catch {
      // Not in this directory.
    }
  }
  return false;
}
