/**
 * Out-of-process peers for the gRPC tests: whether Debian's Go and grpc-go
 * (GOPATH layout, offline) and nginx are here, building a tests/fixtures/*.go
 * program once per version of its source and of Go into dist/test/grpc/, and
 * starting a peer and waiting until it listens.
 *
 * @module
 */

import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import * as net from "node:net";
import process from "node:process";
import { ROOT } from "./files.ts";
import { missingTool } from "./tools.ts";
import { sleep } from "./waits.ts";

/** Where Debian's golang-google-grpc-dev puts the Go sources (GOPATH layout). */
export const GOPATH = "/usr/share/gocode";
const BUILD_DIR = `${ROOT}dist/test/grpc`;

/**
 * `false` when Go and grpc-go are here, else why not; printed with `what`, so
 * a skip is never silent.
 */
export function missingGo(what: string): string | false {
  const go = spawnSync("go", ["version"], { encoding: "utf8" });
  let reason: string | false = false;
  if (go.error || go.status !== 0) reason = "go is not installed";
  else if (!existsSync(`${GOPATH}/src/google.golang.org/grpc/health/server.go`)) {
    reason = `grpc-go is not in ${GOPATH}`;
  }
  if (reason !== false) {
    reason += "; .ci/run installs it with apt-get install golang-go golang-google-grpc-dev";
    console.log(`skipping ${what}: ${reason}`);
  }
  return reason;
}

/**
 * Builds tests/fixtures/<name>.go once per version of its source and of Go;
 * returns the binary's path. Built under a temporary name, then renamed, so
 * runs in parallel (Deno's and Bun's) never see half a binary.
 */
export function buildGo(name: string): Promise<string> {
  const source = `${ROOT}tests/fixtures/${name}.go`;
  const version = spawnSync("go", ["version"], { encoding: "utf8" }).stdout;
  const hash = createHash("sha256").update(readFileSync(source)).update(version).digest("hex");
  const binary = `${BUILD_DIR}/${name}-${hash.slice(0, 12)}`;
  if (existsSync(binary)) return Promise.resolve(binary);
  mkdirSync(BUILD_DIR, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    execFile("go", ["build", "-o", partial, source], {
      cwd: ROOT,
      env: {
        ...process.env,
        GO111MODULE: "off",
        GOPATH,
        GOCACHE: `${BUILD_DIR}/gocache`,
        GOFLAGS: "",
      },
    }, (error, _stdout, stderr) => {
      if (error) return reject(new Error(`Cannot build ${name}.go: ${stderr || error.message}`));
      renameSync(partial, binary);
      console.log(`built ${name}.go in ${Math.round(performance.now() - start)} ms`);
      resolve(binary);
    });
  });
}

/** `false` when nginx runs here, else why not (printed). */
export function missingNginx(what: string): string | false {
  return missingTool(what, "nginx", ["-v"], ".ci/run installs it with apt-get install nginx");
}

/** A port that was free a moment ago. */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once `port` accepts a connection; fails after 10 s. */
export async function listening(port: number): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`Nothing listens on port ${port}`);
}

/** Starts a child whose first stdout line is "PORT <n>" (or whose port is given); returns both. */
export async function startPeer(
  argv: string[],
  port?: number,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
  if (port !== undefined) {
    await listening(port);
    return { child, port };
  }
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Uint8Array) => {
      out += new TextDecoder().decode(chunk);
      if (out.includes("\n")) resolve(out);
    });
    child.on("exit", () => reject(new Error(`${argv[0]} exited: ${out}`)));
  });
  return { child, port: Number(/PORT (\d+)/.exec(line)![1]) };
}
