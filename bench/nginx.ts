/**
 * Runs a private nginx for the benchmark: one worker, not a daemon, its config,
 * pid file, error log and temp paths all under the run's temp directory, and
 * `return 200` with the baseline body on every path. Serves both as the
 * "fastest plausible server" baseline and as the http/tcp target of checks.
 *
 * @module
 */

import { BARE_BODY } from "./bare_body.ts";
import { childrenOf, type Procs, type Side, sleep, type Started, waitFor200 } from "./proc.ts";

/** A running nginx: the master the runner started and the worker that serves. */
export interface Nginx {
  readonly master: Started;
  readonly workerPid: number;
  readonly port: number;
}

/** Writes the config for a one-worker nginx on 127.0.0.1:`port` into `dir`. */
export function nginxConfig(dir: string, port: number): string {
  return `# Written by bench/nginx.ts for one benchmark run.
daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      default_type application/json;
      add_header cache-control no-store;
      return 200 '${BARE_BODY}';
    }
  }
}
`;
}

/** Starts nginx on `side`'s core and waits until it answers 200. */
export async function startNginx(
  procs: Procs,
  tmp: string,
  name: string,
  port: number,
  side: Side,
): Promise<Nginx> {
  const dir = `${tmp}/${name}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/nginx.conf`, nginxConfig(dir, port));
  const master = procs.start(name, [
    "nginx",
    "-p",
    `${dir}/`,
    "-e",
    `${dir}/error.log`,
    "-c",
    `${dir}/nginx.conf`,
  ], { side });
  await waitFor200(`http://127.0.0.1:${port}/`, master);
  let workers = childrenOf(master.pid);
  for (let i = 0; workers.length === 0 && i < 100; i++) {
    await sleep(10);
    workers = childrenOf(master.pid);
  }
  const workerPid = workers[0];
  if (workerPid === undefined) throw new Error(`${name}: no worker process found`);
  procs.adopt(master.pid, workers);
  return { master, workerPid, port };
}
