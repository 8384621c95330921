// The grpc check pointed at servers that are not gRPC, all out of process:
// nginx serving a static page over HTTP/2 + TLS and over HTTP/1.1, Go's
// net/http serving a page over TLS (h2 by ALPN; also asked in cleartext),
// Python's http.server, and Go h2c servers that answer application/grpc with
// an endless body of junk or of empty messages (tests/fixtures/http2_peer.go). `vitals serve` runs them in
// background mode, as Deno or Bun (the runtime under test) and as the
// compiled binary: every check is DOWN within its timeout + 1 s saying what
// the peer answered, /health/simple answers within 1 s all along, and
// SIGTERM still ends vitals.
//
// On Deno 2.9.6 the check over TLS used to spin at 100 % CPU inside
// node:http2 (a session destroyed from a stream's 'data' event, which Deno
// emits inside nghttp2's receive loop), blocking the event loop for seconds or
// for good, or segfault; see src/grpc/client/health_client.ts.

import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { missingOpenssl, selfSigned } from "../../_helpers/certs.ts";
import {
  buildGo,
  listening,
  missingGo,
  missingNginx,
  startPeer,
  unusedPort,
} from "../../_helpers/grpc_go.ts";
import { tempDir } from "../../_helpers/files.ts";
import { platform } from "../../_helpers/platform.ts";
import { sleep } from "../../_helpers/waits.ts";
import { compiledBinary } from "../../_helpers/binary.ts";
import {
  exitWithin,
  type HealthBody,
  serveConfig,
  signal,
  stop,
  vitalsCommand,
} from "../../_helpers/processes.ts";

const skip = missingGo("the grpc check against non-gRPC peers") ||
  missingOpenssl("the grpc check against non-gRPC peers") ||
  missingNginx("the grpc check against non-gRPC peers");
// Built at load time: a first build can take longer than Bun allows a hook.
const peerBinary = skip ? undefined : await buildGo("http2_peer");

function nginxConfig(dir: string, tlsPort: number, plainPort: number): string {
  const page = "root " + dir + "/www; location / { try_files /index.html =404; " +
    "error_page 405 =200 /index.html; }";
  return `daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp;
  uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  server {
    listen 127.0.0.1:${tlsPort} ssl http2;
    ssl_certificate ${dir}/server.crt;
    ssl_certificate_key ${dir}/server.key;
    ${page}
  }
  server { listen 127.0.0.1:${plainPort}; ${page} }
}
`;
}

/** The run timeout of every grpc check here. */
const TIMEOUT_MS = 2000;

/** Each check: its name, how to reach the peer, and what it must say. */
interface Case {
  readonly name: string;
  readonly port: number;
  readonly tls: boolean;
  readonly message: RegExp;
}

describe("the grpc check against peers that are not gRPC", { skip }, () => {
  let dir: string;
  const peers: ChildProcess[] = [];
  const cases: Case[] = [];
  before(async () => {
    dir = await tempDir();
    selfSigned(dir, "server", "localhost", "DNS:localhost,IP:127.0.0.1", 1);
    // nginx's workers drop to an unprivileged user when started as root: they must read the page.
    chmodSync(dir, 0o755);
    mkdirSync(`${dir}/www`);
    mkdirSync(`${dir}/tmp`);
    writeFileSync(
      `${dir}/www/index.html`,
      `<!DOCTYPE html><html><body>${"hello ".repeat(200)}</body></html>\n`,
    );
    const [tlsPort, plainPort] = [await unusedPort(), await unusedPort()];
    writeFileSync(`${dir}/nginx.conf`, nginxConfig(dir, tlsPort, plainPort));
    const nginx = await startPeer(["nginx", "-c", `${dir}/nginx.conf`, "-p", `${dir}/`], tlsPort);
    peers.push(nginx.child);
    await listening(plainPort);
    const goPage = await startPeer([
      peerBinary!,
      "-mode",
      "page",
      "-cert",
      `${dir}/server.crt`,
      "-key",
      `${dir}/server.key`,
    ]);
    const huge = await startPeer([peerBinary!, "-mode", "huge"]);
    const frames = await startPeer([peerBinary!, "-mode", "frames"]);
    const pyPort = await unusedPort();
    const python = await startPeer(
      ["python3", "-m", "http.server", String(pyPort), "--bind", "127.0.0.1"],
      pyPort,
    );
    peers.push(goPage.child, huge.child, frames.child, python.child);
    const notGrpc = (status: number, type: string) =>
      new RegExp(
        `^UNKNOWN: the peer answered HTTP ${status} with content-type "${type}", not gRPC$`,
      );
    const noHttp2 = (port: number) =>
      new RegExp(
        `^gRPC health check of 127\\.0\\.0\\.1:${port} failed: ` +
          "(the peer does not speak HTTP/2 \\(HTTP/2 protocol error\\)|" +
          "connection closed before an HTTP/2 response)$",
      );
    cases.push(
      { name: "nginx-h2-tls", port: tlsPort, tls: true, message: notGrpc(200, "text/html") },
      {
        name: "go-h2-tls",
        port: goPage.port,
        tls: true,
        message: notGrpc(200, "text/html; charset=utf-8"),
      },
      { name: "nginx-http1", port: plainPort, tls: false, message: noHttp2(plainPort) },
      { name: "python-http1", port: pyPort, tls: false, message: noHttp2(pyPort) },
      { name: "go-tls-cleartext", port: goPage.port, tls: false, message: noHttp2(goPage.port) },
      {
        name: "go-h2c-junk",
        port: huge.port,
        tls: false,
        message: /^INTERNAL: Invalid frame: compressed flag 255, expected 0$/,
      },
      {
        name: "go-h2c-many",
        port: frames.port,
        tls: false,
        message: /^INTERNAL: expected one response message, got more$/,
      },
    );
  });
  after(async () => {
    for (const peer of peers) {
      peer.stdin?.end();
      if (peer.exitCode === null) peer.kill("SIGTERM");
    }
    await Promise.all(
      peers.map((peer) =>
        peer.exitCode === null && peer.signalCode === null
          ? new Promise((resolve) => peer.on("exit", resolve))
          : undefined
      ),
    );
    await rm(dir, { recursive: true, force: true });
  });

  const config = () =>
    [
      "cache: {mode: background, ttl: 1s}",
      "checks:",
      '  - {name: alive, type: command, command: ["true"]}',
      ...cases.map((c) =>
        `  - {name: ${c.name}, type: grpc, port: ${c.port}, timeout: ${TIMEOUT_MS}ms, ` +
        `critical: false${c.tls ? ", tls: {insecureSkipVerify: true}" : ""}}`
      ),
    ].join("\n") + "\n";

  const builds: [string, () => Promise<string[]>][] = [
    [platform.runtime, () => Promise.resolve(vitalsCommand())],
    ["the compiled binary", async () => [await compiledBinary()]],
  ];
  for (const [build, command] of builds) {
    test(
      `${build}: every check is DOWN within its timeout + 1 s saying why; /health/simple answers within 1 s all along`,
      {
        timeout: 180_000,
      },
      async () => {
        const vitals = await serveConfig("grpc_peers.yaml", config(), {
          command: await command(),
        });
        try {
          // Probes every 100 ms for 6 s: six background rounds of every check.
          const slow: string[] = [];
          // 503 until the first round has run (the critical check pending), then 200.
          const statuses = new Set<number>();
          for (const stopAt = performance.now() + 6000; performance.now() < stopAt;) {
            const asked = performance.now();
            try {
              const response = await fetch(`${vitals.url}/health/simple`, {
                signal: AbortSignal.timeout(1000),
              });
              statuses.add(response.status);
              await response.body?.cancel();
            } catch (error) {
              slow.push(`${Math.round(asked)}: ${(error as Error).message}`);
            }
            await sleep(100);
          }
          assert.deepEqual(slow, [], "/health/simple answered within 1 s every time");
          assert.ok(statuses.has(200), `/health/simple answered ${[...statuses]}`);
          assert.equal(vitals.child.exitCode, null, `vitals is alive:\n${vitals.stderr}`);
          const response = await fetch(`${vitals.url}/health`, {
            signal: AbortSignal.timeout(1000),
          });
          const body = await response.json() as HealthBody;
          const checks = body.checks as (HealthBody["checks"][number] & { durationMs: number })[];
          for (const c of cases) {
            const result = checks.find((check) => check.name === c.name);
            assert.ok(result, `${c.name} has a result`);
            assert.equal(result.status, "DOWN", c.name);
            assert.match(result.message, c.message, `${c.name}: ${result.message}`);
            assert.ok(
              result.durationMs <= TIMEOUT_MS + 1000,
              `${c.name} took ${result.durationMs} ms`,
            );
          }
          signal(vitals, "SIGTERM");
          assert.equal(await exitWithin(vitals, 10_000), 0, "SIGTERM ends vitals");
        } finally {
          await stop(vitals);
        }
      },
    );
  }
});
