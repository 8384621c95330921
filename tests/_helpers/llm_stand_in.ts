/**
 * The LLM-server stand-ins (tests/fixtures/llm/<kind>.py) as out-of-process
 * peers: start one on free ports of 127.0.0.1, drive it through its control
 * port, and stop it by its PID. Each runs under a small Python launcher that
 * ends it when its standard input closes, so a test process that dies leaves
 * none running.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./files.ts";

/** A running stand-in. */
export interface StandIn {
  /** The server API's port. */
  readonly port: number;
  readonly url: string;
  /** Every port it printed: `port`, `control_port`, and Triton's `metrics_port`. */
  readonly ports: Readonly<Record<string, number>>;
  /** `POST /__control` with `body`; throws unless it answers 200. */
  control(body: Record<string, unknown>): Promise<void>;
  /** `GET /__stats` on the control port: the stand-in's counts (`generations`, ...). */
  stats(): Promise<Record<string, unknown>>;
  /** The raw answer of a request to the server API (for tests that cause a fault themselves). */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Ends it (stdin closed, SIGTERM; SIGKILL by PID after 2 s) and waits for its exit. */
  stop(): Promise<void>;
}

/** Runs the stand-in and exits when stdin closes (the stand-in itself exits only on a signal). */
const LAUNCHER = [
  "import os, runpy, sys, threading",
  "threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()",
  "sys.argv = sys.argv[1:]",
  "runpy.run_path(sys.argv[0], run_name='__main__')",
].join("\n");

/**
 * Starts the stand-in of `kind` with `args` (`--model` and the rest) and waits
 * (at most 10 s) for its ports.
 */
export function startStandIn(kind: string, args: string[]): Promise<StandIn> {
  const script = join(ROOT, "tests", "fixtures", "llm", `${kind}.py`);
  const child: ChildProcess = spawn(
    "python3",
    ["-c", LAUNCHER, script, "--port", "0", "--control-port", "0", ...args],
    { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] },
  );
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    child.stdin?.end();
    if (running()) child.kill("SIGTERM");
    const timer = setTimeout(() => running() && child.kill("SIGKILL"), 2_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<StandIn>((resolve, reject) => {
    let output = "";
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${kind}.py: ${error.message}\n${output}`)));
    };
    const timer = setTimeout(() => fail(new Error("no ports within 10 s")), 10_000);
    child.stdout!.on("data", (chunk: Uint8Array) => {
      output += new TextDecoder().decode(chunk);
      const line = /^(\{.*\})\s*$/m.exec(output)?.[1];
      if (line === undefined || settled) return;
      settled = true;
      clearTimeout(timer);
      const ports = JSON.parse(line) as { port: number; control_port: number };
      const url = `http://127.0.0.1:${ports.port}`;
      resolve({
        port: ports.port,
        url,
        ports,
        async control(body) {
          const response = await fetch(`http://127.0.0.1:${ports.control_port}/__control`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
          });
          const text = await response.text();
          if (response.status !== 200) {
            throw new Error(
              `${kind}.py control ${JSON.stringify(body)}: ${response.status} ${text}`,
            );
          }
        },
        async stats() {
          const response = await fetch(`http://127.0.0.1:${ports.control_port}/__stats`);
          return await response.json() as Record<string, unknown>;
        },
        request: (path, init) => fetch(url + path, init),
        stop,
      });
    });
    child.stderr!.on("data", (chunk: Uint8Array) => {
      output += new TextDecoder().decode(chunk);
    });
    child.on("error", fail);
    child.on("exit", (code) => fail(new Error(`exited with ${code}`)));
  });
}
