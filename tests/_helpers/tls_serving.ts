/**
 * vitals serving TLS, for the tests that point real clients at it (curl,
 * Python's ssl, Prometheus, grpc-go): starting `vitals serve` with a config
 * and waiting for its `https://` address, a directory laid out as Kubernetes
 * mounts a Secret (files behind a `..data` symlink that a rotation swaps),
 * and curl run as a separate process.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, renameSync, symlinkSync } from "node:fs";
import { tempFile } from "./files.ts";
import { type Running, start, type StartOptions, stop, waitForLog } from "./processes.ts";

/** A `vitals serve` with TLS on its HTTP port. */
export interface TlsServing extends Running {
  readonly port: number;
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** The config file, to rewrite before a SIGHUP. */
  readonly path: string;
}

/** Serves `yaml` on 127.0.0.1 port 0 and waits until vitals says it listens on https. */
export async function serveTls(yaml: string, options: StartOptions = {}): Promise<TlsServing> {
  const { path } = await tempFile("vitals-tls.yaml", yaml);
  const running = start(
    ["serve", "--config", path, "--host", "127.0.0.1", "--port", "0"],
    options,
  );
  try {
    const match = await waitForLog(running, /listening on https:\/\/127\.0\.0\.1:(\d+)/);
    const port = Number(match[1]);
    return Object.assign(running, { port, url: `https://127.0.0.1:${port}`, path });
  } catch (error) {
    await stop(running);
    throw error;
  }
}

/**
 * A directory like a mounted Kubernetes Secret: `tls.crt` and `tls.key` are
 * links to `..data/tls.crt` and `..data/tls.key`, and `..data` a link to a
 * timestamped directory. {@link SecretDir.swap} writes a new directory and
 * renames a new `..data` link over the old one, in one step, as kubelet does.
 */
export interface SecretDir {
  readonly cert: string;
  readonly key: string;
  swap(cert: string, key: string): void;
}

/** Lays out a {@link SecretDir} in `dir` holding copies of `cert` and `key`. */
export function secretDir(dir: string, cert: string, key: string): SecretDir {
  let version = 0;
  const swap = (certFile: string, keyFile: string) => {
    const data = `..2026_12_06_${String(++version).padStart(2, "0")}`;
    mkdirSync(`${dir}/${data}`);
    copyFileSync(certFile, `${dir}/${data}/tls.crt`);
    copyFileSync(keyFile, `${dir}/${data}/tls.key`);
    symlinkSync(data, `${dir}/..data_tmp`);
    renameSync(`${dir}/..data_tmp`, `${dir}/..data`);
  };
  swap(cert, key);
  symlinkSync("..data/tls.crt", `${dir}/tls.crt`);
  symlinkSync("..data/tls.key", `${dir}/tls.key`);
  return { cert: `${dir}/tls.crt`, key: `${dir}/tls.key`, swap };
}

/** What a curl run left: its exit code, and stdout (the status code with `-w`). */
export interface CurlRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs curl with `args` (plus `-sS --max-time 5`), as its own process. */
export function curl(args: string[]): Promise<CurlRun> {
  return new Promise((resolve) => {
    const child = spawn("curl", ["-sS", "--max-time", "5", ...args]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Uint8Array) => stdout += new TextDecoder().decode(chunk));
    child.stderr.on("data", (chunk: Uint8Array) => stderr += new TextDecoder().decode(chunk));
    child.on("error", (error) => resolve({ code: -1, stdout, stderr: String(error) }));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The status code curl got for `url` with `args`, or `curl exit <n>: <error>` when none. */
export async function statusOf(url: string, args: string[] = []): Promise<string> {
  const run = await curl(["-o", "/dev/null", "-w", "%{http_code}", ...args, url]);
  return run.code === 0 ? run.stdout : `curl exit ${run.code}: ${run.stderr.trim()}`;
}

/** Runs `attempt` every 100 ms until it does not throw; after `ms`, its last failure is thrown. */
export async function untilPasses(attempt: () => unknown, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  for (;;) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
