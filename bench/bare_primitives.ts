/**
 * The "bare server plus the runtime's primitives" baseline for idle memory: a
 * bare server that, once, does what the example config's checks make vitals
 * do (spawn a program and read its pipes, connect over TCP, fetch over HTTP,
 * stat a file) and keeps a timer, then idles. The gap between it and the bare
 * server is what using those runtime features costs, before any vitals code.
 * Runs as a script (`bun bench/bare_primitives.ts --port 8083`) and compiled.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { connect } from "node:net";
import process from "node:process";
import { bareHandler, portArg } from "./bare_body.ts";

interface BunServe {
  serve(options: { hostname: string; port: number; fetch(request: Request): Response }): unknown;
}

/** Runs `test -w /tmp` with piped output, as a command check does. */
function spawnOnce(): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn("test", ["-w", "/tmp"], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.resume();
    child.stderr.resume();
    child.on("close", () => resolve());
    child.on("error", () => resolve());
  });
}

/** Connects to a port nothing listens on, as the example's redis check does. */
function connectOnce(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => socket.end());
    socket.on("close", () => resolve());
    socket.on("error", () => resolve());
  });
}

if (import.meta.main) {
  const bun = (globalThis as unknown as { Bun?: BunServe }).Bun;
  if (!bun) throw new Error("bench/bare_primitives.ts runs on Bun");
  const args = process.argv.slice(2);
  bun.serve({ hostname: "127.0.0.1", port: portArg(args), fetch: bareHandler(args) });
  await spawnOnce();
  await connectOnce(6379);
  await fetch("http://127.0.0.1:3000/ready").catch(() => undefined);
  await stat("/tmp");
  setInterval(() => {}, 30_000);
}
