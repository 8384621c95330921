/**
 * The raw primitives each check kind is compared with, on the runtime running
 * the script: spawn `/bin/true` and collect its output (Deno.Command or
 * Bun.spawn), open and close a TCP connection (Deno.connect or Bun.connect),
 * and one keep-alive `fetch` whose body is read.
 *
 * Imported by scripts that both Deno and Bun run: `Deno` and `Bun` are only
 * touched inside the functions, after {@link currentRuntime} has picked one.
 *
 * @module
 */

import process from "node:process";
import type { Runtime } from "./types.ts";

interface BunSubprocess {
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly exited: Promise<number>;
}

interface BunApi {
  spawn(options: {
    cmd: string[];
    stdin: "ignore";
    stdout: "pipe";
    stderr: "pipe";
  }): BunSubprocess;
  connect(options: {
    hostname: string;
    port: number;
    socket: { data(): void; error?(socket: unknown, error: Error): void };
  }): Promise<{ end(): void }>;
}

function bun(): BunApi {
  return (globalThis as unknown as { Bun: BunApi }).Bun;
}

/** The runtime running this script. */
export function currentRuntime(): Runtime {
  if ("Bun" in globalThis) return "bun";
  if ("Deno" in globalThis) return "deno";
  throw new Error("runs on Deno or Bun");
}

/** The script's own arguments on either runtime. */
export function scriptArgs(): string[] {
  return process.argv.slice(2);
}

/** Reads `--name value` from the arguments. */
export function argValue(args: readonly string[], name: string): string {
  const index = args.indexOf(`--${name}`);
  const value = index === -1 ? undefined : args[index + 1];
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

/** CPU time this process has used (user + system, children excluded), in µs. */
export function cpuNow(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** Spawns `/bin/true` with piped output, reads the output and waits for the exit. */
export async function spawnTrue(runtime: Runtime): Promise<void> {
  if (runtime === "deno") {
    const output = await new Deno.Command("/bin/true", {
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (output.code !== 0) throw new Error(`/bin/true exited ${output.code}`);
    return;
  }
  const child = bun().spawn({
    cmd: ["/bin/true"],
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code] = await Promise.all([
    child.exited,
    new Response(child.stdout).arrayBuffer(),
    new Response(child.stderr).arrayBuffer(),
  ]);
  if (code !== 0) throw new Error(`/bin/true exited ${code}`);
}

/** Opens a TCP connection to `hostname:port` and closes it at once. */
export async function connectClose(runtime: Runtime, hostname: string, port: number) {
  if (runtime === "deno") {
    const conn = await Deno.connect({ hostname, port });
    conn.close();
    return;
  }
  const socket = await bun().connect({ hostname, port, socket: { data() {}, error() {} } });
  socket.end();
}

/** One GET with the runtime's keep-alive fetch; the body is read to the end. */
export async function fetchOnce(url: string): Promise<void> {
  const response = await fetch(url);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
}
