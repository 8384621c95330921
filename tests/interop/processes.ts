/**
 * The interop suite's peer processes: starting one (guarded, when it does not
 * watch its standard input, so it never outlives the test process), waiting
 * for what it prints or for its ports to accept connections, stopping it by
 * PID, and picking free ports for the servers that cannot pick their own.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import process from "node:process";
import { sleep } from "../_helpers/waits.ts";

/** A peer process with what it printed (stdout and stderr, the last 32 KiB or more). */
export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  /** The PID of the server itself: the child's, or for a guarded one what the guard printed. */
  pid: number | undefined;
  out: string;
  readonly exited: Promise<void>;
}

/**
 * Starts `argv`. `guarded`: for a server that does not watch its standard
 * input, a shell runs it in the background and kills it (by its PID) when
 * the shell's input closes, which happens when this test process ends for
 * any reason, so no server outlives the suite.
 */
export function startProc(name: string, argv: string[], guarded: boolean): Proc {
  const [program, ...args] = guarded
    ? [
      "sh",
      "-c",
      '"$@" </dev/null & echo "PID $!"; cat >/dev/null; kill "$!" 2>/dev/null; wait',
      "guard",
      ...argv,
    ]
    : argv;
  const child = spawn(program!, args, { stdio: ["pipe", "pipe", "pipe"] });
  const proc: Proc = {
    name,
    child,
    pid: guarded ? undefined : child.pid,
    out: "",
    exited: new Promise((resolve) => child.on("exit", () => resolve())),
  };
  const collect = (chunk: Uint8Array) => {
    proc.out += new TextDecoder().decode(chunk);
    if (proc.out.length > 65_536) proc.out = proc.out.slice(-32_768);
    const pid = /^PID (\d+)\n/m.exec(proc.out)?.[1];
    if (guarded && proc.pid === undefined && pid !== undefined) proc.pid = Number(pid);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  child.on("error", (error) => proc.out += `\n${error.message}`);
  return proc;
}

/** Stops a peer: closes its input (the guard, or the peer itself, then ends), and after 1 s kills it by PID. */
export async function stopProc(proc: Proc): Promise<void> {
  proc.child.stdin?.end();
  const exited = await Promise.race([proc.exited.then(() => true), sleep(1_000).then(() => false)]);
  if (exited) return;
  for (const pid of [proc.pid, proc.child.pid]) {
    try {
      if (pid !== undefined) process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  await proc.exited;
}

/** Waits until `proc`'s output matches `pattern`; throws with the output when it exits or 10 s pass. */
export async function untilOutput(proc: Proc, pattern: RegExp): Promise<RegExpExecArray> {
  const deadline = performance.now() + 10_000;
  let done = false;
  proc.exited.then(() => done = true);
  for (;;) {
    const match = pattern.exec(proc.out);
    if (match) return match;
    if (done || performance.now() > deadline) {
      throw new Error(`${proc.name} did not start: ${JSON.stringify(proc.out.slice(-2000))}`);
    }
    await sleep(20);
  }
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.on("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/** Waits until every port accepts connections; false when `proc` exits first or 10 s pass. */
async function untilListening(proc: Proc, ports: number[]): Promise<boolean> {
  const deadline = performance.now() + 10_000;
  let done = false;
  proc.exited.then(() => done = true);
  while (!done && performance.now() < deadline) {
    if ((await Promise.all(ports.map(accepts))).every(Boolean)) return true;
    await sleep(30);
  }
  return false;
}

/** A free port on 127.0.0.1: bound, then released (a race another process may win; callers retry). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(address)
      );
    });
  });
}

/**
 * Starts a guarded server that takes its ports on the command line: picks
 * free ones, and when the server fails to bind one (another process took it
 * meanwhile), tries again with new ones, three times.
 */
export async function withFreePorts(
  name: string,
  count: number,
  argv: (ports: number[]) => string[],
): Promise<{ proc: Proc; ports: number[] }> {
  let last = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    const proc = startProc(name, argv(ports), true);
    if (await untilListening(proc, ports)) return { proc, ports };
    last = proc.out;
    await stopProc(proc);
    if (!/in use/i.test(last)) break;
  }
  throw new Error(`${name} did not start: ${JSON.stringify(last.slice(-2000))}`);
}

/**
 * Starts `argv` as {@link startProc} does and waits for `pattern` in what it
 * prints; stops it when the pattern never comes.
 */
export async function startPrinting(
  name: string,
  argv: string[],
  pattern: RegExp,
  guarded = false,
): Promise<{ proc: Proc; match: RegExpExecArray }> {
  const proc = startProc(name, argv, guarded);
  try {
    return { proc, match: await untilOutput(proc, pattern) };
  } catch (error) {
    await stopProc(proc);
    throw error;
  }
}

/** The ports named `keys` in a line such as "PORTS http=1 https=2"; throws when one is missing. */
export function portsOf<K extends string>(line: string, keys: readonly K[]): Record<K, number> {
  const found = new Map([...line.matchAll(/(\w+)=(\d+)/g)].map(([, key, value]) => [key, value]));
  const ports = {} as Record<K, number>;
  for (const key of keys) {
    const value = found.get(key);
    if (value === undefined) throw new Error(`No port "${key}" in ${JSON.stringify(line)}`);
    ports[key] = Number(value);
  }
  return ports;
}
