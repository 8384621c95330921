// vitals on `deno run` with exactly the permissions the image is compiled
// with, and no others: the flags of deno.json's `compile` task, which the
// Dockerfile runs (`deno task compile`) and the `start` task shares. Every
// other test runs Deno with --allow-all, where a permission the code needs
// and the image lacks would show only in production.
//
// The core of what vitals does runs here: `serve` with a check of each kind
// that touches the system (command, tcp, http, https with a private CA, file,
// grpc against grpc-go), the gRPC health server (asked by a grpc-go client as
// kubelet asks), a reload on SIGHUP, `probe` against it, a stop on SIGTERM,
// then `check` and `validate`. Peers are out of process: Python's
// http.server, `openssl s_server`, grpc-go. Runs only under Deno (permissions
// are Deno's); under Bun it skips and says why.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { hostname } from "node:os";
import process from "node:process";
import { after, before, test } from "node:test";
import { makeCertificates } from "../_helpers/certificate_set.ts";
import { missingOpenssl } from "../_helpers/certs.ts";
import { buildGo, missingGo } from "../_helpers/grpc_go.ts";
import { tempDir } from "../_helpers/files.ts";
import { eventually } from "../_helpers/waits.ts";
import {
  fetchJson,
  runVitals,
  serveWith,
  type Serving,
  signal,
  stop,
} from "../_helpers/processes.ts";
import { firstStatus, waitForEntry } from "../_helpers/serve_log.ts";
import { denoTasks, permissionFlags, shippedPermissions } from "./shipped_permissions.ts";

const onBun = "Bun" in globalThis;
const skip = onBun
  ? "permissions are Deno's: Bun has none to check"
  : missingOpenssl("the https check under the shipped permissions") ||
    missingGo("the grpc check and server under the shipped permissions");
if (onBun) console.log(`skipping tests/e2e/deno_permissions.test.ts: ${skip}`);

/** Deno with the shipped permissions, and nothing that would prompt for more. */
function shippedDeno(): string[] {
  return [process.execPath, "run", "--no-prompt", ...shippedPermissions(), "main.ts"];
}

/** Words in stderr that mean Deno refused an operation. */
const REFUSED = /NotCapable|PermissionDenied|Requires \w+ access|run again with the --allow/;

/** A free port on 127.0.0.1, for the peers and the gRPC server that take no port 0. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Out-of-process peers, stopped by PID after the file. */
const peers: ChildProcess[] = [];

/** Whether a TCP connection to `port` is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const client = connect({ host: "127.0.0.1", port });
    client.once("connect", () => {
      client.destroy();
      resolve(true);
    });
    client.once("error", () => resolve(false));
  });
}

/** Starts a peer and waits until it accepts connections on `port`. */
async function startPeer(argv: string[], port: number, cwd: string): Promise<void> {
  const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ["pipe", "ignore", "ignore"] });
  peers.push(child);
  assert.ok(await eventually(() => accepts(port), 10_000), `${argv[0]} listens on ${port}`);
}

interface Setup {
  readonly dir: string;
  readonly config: string;
  readonly grpcPort: number;
  readonly grpcClient: string;
  readonly yaml: string;
}

let setup: Setup | undefined;

before(async () => {
  if (skip) return;
  const dir = await tempDir();
  const certs = makeCertificates(dir);
  writeFileSync(`${dir}/ready`, "ok\n");
  const httpPort = await freePort();
  await startPeer(
    ["python3", "-m", "http.server", String(httpPort), "--bind", "127.0.0.1"],
    httpPort,
    dir,
  );
  const tlsPort = await freePort();
  await startPeer(
    [
      "openssl",
      "s_server",
      "-www",
      "-accept",
      String(tlsPort),
      "-cert",
      certs.leaf,
      "-key",
      certs.leafKey,
    ],
    tlsPort,
    dir,
  );
  const [goServer, grpcClient] = await Promise.all([
    buildGo("grpc_health_server"),
    buildGo("grpc_health_client"),
  ]);
  const go = spawn(goServer, [], { stdio: ["pipe", "pipe", "inherit"] });
  peers.push(go);
  const goPort = await new Promise<number>((resolve, reject) => {
    let out = "";
    go.stdout!.on("data", (chunk: Uint8Array) => {
      out += new TextDecoder().decode(chunk);
      const match = /PORT (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    go.once("exit", () => reject(new Error("grpc_health_server exited")));
  });
  const grpcPort = await freePort();
  const yaml = `server: {grpc: {port: ${grpcPort}}}
cache: {ttl: 0}
checks:
  - {name: command, type: command, command: ["true"]}
  - {name: tcp, type: tcp, port: ${httpPort}}
  - {name: http, type: http, url: "http://127.0.0.1:${httpPort}/ready", bodyContains: ok}
  - {name: https, type: http, url: "https://127.0.0.1:${tlsPort}/", tls: {ca: "${certs.ca}"}}
  - {name: file, type: file, path: "${dir}/ready"}
  - {name: grpc, type: grpc, port: ${goPort}}
`;
  const config = `${dir}/vitals.yaml`;
  writeFileSync(config, yaml);
  setup = { dir, config, grpcPort, grpcClient, yaml };
});

after(() => {
  for (const peer of peers) {
    if (peer.exitCode === null && peer.signalCode === null) peer.kill("SIGKILL");
  }
});

test("deno.json's compile task holds the shipped permissions, and start runs with the same", () => {
  const flags = shippedPermissions();
  assert.ok(flags.length > 0, "the compile task names its permissions");
  assert.ok(!flags.includes("--allow-all") && !flags.includes("-A"), flags.join(" "));
  const start = permissionFlags(denoTasks()["start"] ?? "");
  assert.deepEqual(start, flags, "the start task runs with the compile task's permissions");
  console.log(`shipped Deno permissions: ${flags.join(" ")}`);
});

test(
  "serve with the shipped permissions runs a check of every kind, serves gRPC health, reloads on SIGHUP and answers probe",
  {
    skip,
  },
  async () => {
    assert.ok(setup);
    let vitals: Serving | undefined;
    try {
      vitals = await serveWith(["--config", setup.config, "--host", "127.0.0.1", "--port", "0"], {
        command: shippedDeno(),
        // server.name's last default, the host name, needs --allow-sys=hostname.
        unset: ["POD_NAME", "HOSTNAME"],
      });
      await firstStatus(vitals, "UP");
      const history = await (await fetch(`${vitals.url}/health/history`)).json() as {
        name?: string;
      };
      assert.equal(history.name, hostname(), "the host name names the page");
      const health = await fetchJson(`${vitals.url}/health`);
      const summary = health.body.checks.map((check) =>
        `${check.name} ${check.status}: ${check.message}`
      );
      console.log(`deno (shipped permissions): ${summary.join("; ")}`);
      assert.equal(health.status, 200, summary.join("\n"));
      assert.deepEqual(
        health.body.checks.map((check) => check.name),
        ["command", "tcp", "http", "https", "file", "grpc"],
      );

      // The gRPC health server, asked as kubelet asks.
      const grpc = await runVitals(["-addr", `127.0.0.1:${setup.grpcPort}`, "-service", ""], {
        command: [setup.grpcClient],
        timeoutMs: 10_000,
      });
      assert.equal(grpc.stdout.trim(), "SERVING", grpc.stdout + grpc.stderr);

      // Reload on SIGHUP: a check added.
      writeFileSync(
        setup.config,
        `${setup.yaml}  - {name: added, type: command, command: ["true"]}\n`,
      );
      signal(vitals, "SIGHUP");
      await waitForEntry(vitals, "info", /^config reloaded \(SIGHUP\): 7 checks; added added/);
      const reloaded = await fetchJson(`${vitals.url}/health`);
      assert.equal(reloaded.status, 200);
      assert.ok(reloaded.body.checks.some((check) => check.name === "added"));

      // probe, with the shipped permissions, against it.
      const port = new URL(vitals.url).port;
      const probe = await runVitals(["probe"], {
        command: shippedDeno(),
        env: { VITALS_PORT: port },
        timeoutMs: 20_000,
      });
      assert.equal(probe.code, 0, probe.stderr);

      signal(vitals, "SIGTERM");
      assert.equal(await vitals.exited, 0, vitals.stderr);
      assert.doesNotMatch(vitals.stderr, REFUSED);
      assert.doesNotMatch(probe.stderr, REFUSED);
    } finally {
      writeFileSync(setup.config, setup.yaml);
      if (vitals) await stop(vitals);
    }
  },
);

test("check and validate with the shipped permissions run the same config", { skip }, async () => {
  assert.ok(setup);
  const check = await runVitals(["check", "--config", setup.config], {
    command: shippedDeno(),
    timeoutMs: 30_000,
  });
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.doesNotMatch(check.stdout + check.stderr, REFUSED);
  const validate = await runVitals(["validate", "--config", setup.config], {
    command: shippedDeno(),
    timeoutMs: 30_000,
  });
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
  assert.doesNotMatch(validate.stdout + validate.stderr, REFUSED);
});
