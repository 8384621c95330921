/**
 * How each of the interop suite's peers starts (peers.ts runs them all): the
 * command line or config it needs, the ports it listens on, and for which
 * endpoints (endpoints.ts). Each starter resolves with its processes and
 * ports, or rejects saying why, having stopped what it started.
 *
 * @module
 */

import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import process from "node:process";
import type { Certificates } from "../_helpers/certificate_set.ts";
import { ROOT } from "../_helpers/files.ts";
import type { Endpoint } from "./endpoints.ts";
import { portsOf, type Proc, startPrinting, stopProc, withFreePorts } from "./processes.ts";

/** Where Debian's golang-google-grpc-dev puts the Go sources (GOPATH layout). */
export const GOPATH = "/usr/share/gocode";
const BUILD_DIR = `${ROOT}dist/test/interop`;
/** Shared with tests/scenarios/external/grpc_interop.test.ts: grpc-go compiles once for both. */
const GOCACHE = `${ROOT}dist/test/grpc/gocache`;
const FIXTURES = `${ROOT}tests/interop/fixtures`;

/** What a starter started: its processes, the ports of its endpoints, and endpoints it could not serve. */
export interface Started {
  readonly procs: readonly Proc[];
  readonly ports: Partial<Record<Endpoint, number>>;
  readonly missing?: Partial<Record<Endpoint, string>>;
}

/** A peer's starter: the endpoints it serves and the tool it needs, and how to start it. */
export interface Starter {
  readonly endpoints: readonly Endpoint[];
  readonly tool: string;
  start(dir: string, certs: Certificates): Promise<Started>;
}

/** What `parse` reads of `proc`'s output; when it throws, stops `proc` first. */
async function parsed<T>(proc: Proc, parse: () => T): Promise<T> {
  try {
    return parse();
  } catch (error) {
    await stopProc(proc);
    throw error;
  }
}

/** nginx's config: one server block per endpoint, each answering the same few paths. */
function nginxConfig(dir: string, certs: Certificates, ports: number[]): string {
  const [http, self, ca, expiring, expired, h2] = ports;
  const locations = `
    location = / { return 200 "nginx ok\\n"; }
    location = /json {
      default_type application/json;
      return 200 '{"status":"ok","server":"nginx","queue":{"depth":3},"checks":[{"healthy":true}]}';
    }
    location = /status/503 { return 503 "unavailable\\n"; }`;
  const tls = (port: number | undefined, cert: string, key: string, extra = "") => `
  server {
    listen 127.0.0.1:${port} ssl${extra};
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ${locations}
  }`;
  return `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  default_type text/plain;
  root ${dir}/html;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${http};
    ${locations}
  }${tls(self, certs.self, certs.selfKey)}${tls(ca, certs.leaf, certs.leafKey, " http2")}${
    tls(expiring, certs.expiring, certs.leafKey)
  }${tls(expired, certs.expired, certs.leafKey)}${
    tls(h2, certs.storeLeaf, certs.storeKey, " http2")
  }
}
`;
}

const NGINX_ENDPOINTS = [
  "nginx.http",
  "nginx.self",
  "nginx.ca",
  "nginx.expiring",
  "nginx.expired",
  "nginx.h2",
] as const;

/** nginx, one process (`master_process off`), one port per endpoint, picked here. */
const nginx: Starter = {
  endpoints: NGINX_ENDPOINTS,
  tool: "nginx",
  async start(dir, certs) {
    const prefix = `${dir}/nginx`;
    mkdirSync(prefix, { recursive: true });
    const { proc, ports } = await withFreePorts("nginx", NGINX_ENDPOINTS.length, (picked) => {
      writeFileSync(`${prefix}/nginx.conf`, nginxConfig(prefix, certs, picked));
      return ["nginx", "-p", prefix, "-c", `${prefix}/nginx.conf`, "-e", "/dev/stderr"];
    });
    return {
      procs: [proc],
      ports: Object.fromEntries(NGINX_ENDPOINTS.map((endpoint, i) => [endpoint, ports[i]])),
    };
  },
};

/**
 * Builds fixtures/go_peers.go once per version of its source and of Go, in
 * GOPATH mode against Debian's grpc-go (offline), into dist/test/interop/;
 * built under a temporary name, then renamed, so parallel runs never see
 * half a binary.
 */
function buildGo(): Promise<string> {
  const source = `${FIXTURES}/go_peers.go`;
  const version = spawnSync("go", ["version"], { encoding: "utf8" }).stdout;
  const hash = createHash("sha256").update(readFileSync(source)).update(version).digest("hex");
  const binary = `${BUILD_DIR}/go_peers-${hash.slice(0, 12)}`;
  if (existsSync(binary)) return Promise.resolve(binary);
  mkdirSync(BUILD_DIR, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile("go", ["build", "-o", partial, source], {
      cwd: ROOT,
      env: { ...process.env, GO111MODULE: "off", GOPATH, GOCACHE, GOFLAGS: "" },
    }, (error, _stdout, stderr) => {
      if (error) return reject(new Error(`Cannot build go_peers.go: ${stderr || error.message}`));
      renameSync(partial, binary);
      console.log(`interop: built go_peers.go in ${Math.round(performance.now() - started)} ms`);
      resolve(binary);
    });
  });
}

/** Go's net/http and grpc-go in one process, which picks its own ports and prints them. */
const go: Starter = {
  endpoints: ["go.http", "go.https", "go.mtls", "grpc.h2c", "grpc.tls"],
  tool: "go",
  async start(_dir, certs) {
    const binary = await buildGo();
    const { proc, match } = await startPrinting("go_peers", [
      binary,
      "-ca",
      certs.ca,
      "-cert",
      certs.leaf,
      "-key",
      certs.leafKey,
    ], /^PORTS [^\n]*\n/m);
    const got = await parsed(
      proc,
      () => portsOf(match[0], ["http", "https", "mtls", "grpc", "grpctls"]),
    );
    return {
      procs: [proc],
      ports: {
        "go.http": got.http,
        "go.https": got.https,
        "go.mtls": got.mtls,
        "grpc.h2c": got.grpc,
        "grpc.tls": got.grpctls,
      },
    };
  },
};

const PYTHON_LISTENERS = [
  ["python.http10", "http10:0"],
  ["python.http11", "http11:0"],
  ["blocked.6000", "http11:6000"],
  ["blocked.10080", "http11:10080"],
] as const;

/** Python's http.server: HTTP/1.0 and 1.1 on free ports, and on 6000 and 10080 when they are free. */
const python: Starter = {
  endpoints: PYTHON_LISTENERS.map(([endpoint]) => endpoint),
  tool: "python3",
  async start() {
    const { proc } = await startPrinting("http_servers.py", [
      "python3",
      `${FIXTURES}/http_servers.py`,
      ...PYTHON_LISTENERS.map(([, spec]) => spec),
    ], /^READY\n/m);
    const ports: Partial<Record<Endpoint, number>> = {};
    const missing: Partial<Record<Endpoint, string>> = {};
    for (const [endpoint, spec] of PYTHON_LISTENERS) {
      const port = new RegExp(`^LISTEN ${spec} (\\d+)$`, "m").exec(proc.out)?.[1];
      const why = new RegExp(`^SKIP ${spec} (.*)$`, "m").exec(proc.out)?.[1];
      if (port !== undefined) ports[endpoint] = Number(port);
      else missing[endpoint] = `cannot listen on port ${spec.split(":")[1]}: ${why}`;
    }
    return { procs: [proc], ports, missing };
  },
};

/** The raw-socket server that misbehaves, which picks its own ports and prints them. */
const misbehave: Starter = {
  endpoints: ["misbehave.http", "misbehave.https", "misbehave.rogue", "misbehave.silent"],
  tool: "python3",
  async start(_dir, certs) {
    const { proc, match } = await startPrinting("misbehave.py", [
      "python3",
      `${FIXTURES}/misbehave.py`,
      certs.leaf,
      certs.leafKey,
      certs.rogueChain,
      certs.rogueKey,
    ], /^PORTS [^\n]*\n/m);
    const got = await parsed(proc, () => portsOf(match[0], ["http", "https", "rogue", "silent"]));
    return {
      procs: [proc],
      ports: {
        "misbehave.http": got.http,
        "misbehave.https": got.https,
        "misbehave.rogue": got.rogue,
        "misbehave.silent": got.silent,
      },
    };
  },
};

/** Two `openssl s_server`s on port 0: each picks a free port and says which ("ACCEPT 127.0.0.1:<port>"). */
const openssl: Starter = {
  endpoints: ["openssl.tls", "openssl.mtls"],
  tool: "openssl",
  async start(_dir, certs) {
    const procs: Proc[] = [];
    const ports: Partial<Record<Endpoint, number>> = {};
    try {
      for (
        const [endpoint, extra] of [
          ["openssl.tls", ["-www"]],
          // -verify_return_error: without it s_server lets an untrusted client certificate through.
          ["openssl.mtls", ["-www", "-Verify", "1", "-verify_return_error", "-CAfile", certs.ca]],
        ] as const
      ) {
        const { proc, match } = await startPrinting(
          `openssl s_server ${extra.join(" ")}`,
          [
            "openssl",
            "s_server",
            "-accept",
            "127.0.0.1:0",
            "-cert",
            certs.leaf,
            "-key",
            certs.leafKey,
            ...extra,
          ],
          /^ACCEPT 127\.0\.0\.1:(\d+)\r?\n/m,
          true,
        );
        procs.push(proc);
        ports[endpoint] = Number(match[1]);
      }
    } catch (error) {
      await Promise.all(procs.map(stopProc));
      throw error;
    }
    return { procs, ports };
  },
};

/** redis-server on a port picked here, saving nothing. */
const redis: Starter = {
  endpoints: ["redis"],
  tool: "redis-server",
  async start(dir) {
    const { proc, ports: [port] } = await withFreePorts("redis-server", 1, ([port]) => [
      "redis-server",
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
    ]);
    return { procs: [proc], ports: { redis: port! } };
  },
};

/** Every peer's starter. */
export const STARTERS: readonly Starter[] = [nginx, go, python, misbehave, openssl, redis];
