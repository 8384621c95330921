// vitals' gRPC health against grpc-go, the implementation kubelet's gRPC
// prober is built on (k8s.io/kubernetes/pkg/probe/grpc):
// - the `grpc` check reads a grpc-go health server (google.golang.org/grpc/health)
//   in every state, and its error statuses;
// - a grpc-go client that calls Check as kubelet does reads what a served
//   vitals (`vitals serve` with server.grpc) says for "", live, ready, started
//   and an unknown name, UP, DOWN and draining, and Watch sees each change.
//
// The Go sources are tests/fixtures/grpc_health_{server,client}.go, built in
// GOPATH mode against Debian's golang-google-grpc-dev (which .ci/run installs)
// once per source version, into dist/test/grpc/. Without Go or the package
// these tests skip and print why.

import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { buildGo, missingGo } from "../../_helpers/grpc_go.ts";
import { runCheck } from "../../_helpers/checks.ts";
import { tempDir } from "../../_helpers/files.ts";
import { sleep } from "../../_helpers/waits.ts";
import { serveConfig, signal, stop, waitForLog } from "../../_helpers/processes.ts";

const noGo = missingGo("the grpc-go interop tests");

// Built at load time, not in a hook: a first build takes about 40 s, past Bun's
// 5 s limit for a hook; later runs reuse the binaries.
const binaries = noGo ? undefined : {
  server: await buildGo("grpc_health_server"),
  client: await buildGo("grpc_health_client"),
};

/** The Go health server, running; `send` writes one command and waits for its OK. */
interface GoServer {
  readonly port: number;
  send(command: string): Promise<void>;
  close(): Promise<void>;
}

async function startGoServer(binary: string): Promise<GoServer> {
  const child: ChildProcess = spawn(binary, [], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  let waiting: (() => void) | undefined;
  child.stdout!.on("data", (chunk: Uint8Array) => {
    out += new TextDecoder().decode(chunk);
    waiting?.();
  });
  const until = async (pattern: RegExp) => {
    const deadline = performance.now() + 10_000;
    while (!pattern.test(out)) {
      if (performance.now() > deadline) throw new Error(`Go server said ${JSON.stringify(out)}`);
      await new Promise<void>((resolve) => {
        waiting = resolve;
        setTimeout(resolve, 50);
      });
    }
  };
  await until(/PORT \d+\n/);
  const port = Number(/PORT (\d+)/.exec(out)![1]);
  let oks = 0;
  return {
    port,
    async send(command) {
      child.stdin!.write(`${command}\n`);
      oks++;
      await until(new RegExp(`^(?:[^\\n]*\\n)?(?:OK\\n){${oks}}$`));
    },
    async close() {
      child.stdin!.end();
      if (child.exitCode === null) {
        await new Promise((resolve) => child.on("exit", resolve));
      }
    },
  };
}

/** Runs the Go client: Check for `service` (or Watch), as kubelet's prober does. */
function goClient(
  binary: string,
  port: number,
  service: string,
  extra: string[] = [],
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(
      binary,
      ["-addr", `127.0.0.1:${port}`, "-service", service, ...extra],
      (error, stdout) =>
        resolve({ code: error ? (error.code as number) ?? null : 0, out: stdout.trim() }),
    );
  });
}

describe("the grpc check against grpc-go's health server", { skip: noGo }, () => {
  let server: GoServer;
  before(async () => {
    server = await startGoServer(binaries!.server);
  });
  after(() => server?.close());

  const grpc = (service: string) => ({
    type: "grpc",
    host: "127.0.0.1",
    port: server.port,
    service,
  });

  test("SERVING is UP, NOT_SERVING and UNKNOWN are DOWN, for the empty and a named service", async () => {
    await server.send("set - SERVING");
    await server.send("set orders SERVING");
    assert.deepEqual(await runCheck(grpc("")).then((r) => [r.status, r.message]), [
      "UP",
      "SERVING",
    ]);
    assert.deepEqual(
      await runCheck(grpc("orders")).then((r) => [r.status, r.message]),
      ["UP", "SERVING"],
    );
    await server.send("set orders NOT_SERVING");
    assert.deepEqual(
      await runCheck(grpc("orders")).then((r) => [r.status, r.message]),
      ["DOWN", 'NOT_SERVING for service "orders"'],
    );
    await server.send("set orders UNKNOWN");
    assert.deepEqual(
      await runCheck(grpc("orders")).then((r) => [r.status, r.message]),
      ["DOWN", 'UNKNOWN for service "orders"'],
    );
  });

  test("a service the server does not know is DOWN NOT_FOUND (Check never says SERVICE_UNKNOWN)", async () => {
    const result = await runCheck(grpc("payments"));
    assert.equal(result.status, "DOWN");
    assert.equal(result.message, 'NOT_FOUND: unknown service for service "payments"');
  });

  test("an error status is DOWN with its code name and message", async () => {
    await server.send("fail 14 backend down");
    try {
      const result = await runCheck(grpc(""));
      assert.equal(result.status, "DOWN");
      assert.equal(result.message, "UNAVAILABLE: backend down");
    } finally {
      await server.send("heal");
    }
    assert.equal((await runCheck(grpc(""))).status, "UP");
  });
});

describe("grpc-go's client (as kubelet probes) against a served vitals", { skip: noGo }, () => {
  let client: string;
  let dir: string;
  before(async () => {
    client = binaries!.client;
    dir = await tempDir();
  });

  test(
    'reads "", live, ready, started and an unknown name UP, DOWN and draining; Watch sees each change; SIGTERM closes the port',
    {
      timeout: 30_000,
    },
    async () => {
      writeFileSync(`${dir}/live`, "");
      writeFileSync(`${dir}/ready`, "");
      const TTL = 200;
      const vitals = await serveConfig(
        "grpc.yaml",
        `server: {grpc: {port: 0}, drainDelay: 1s}
cache: {mode: background, ttl: ${TTL}ms}
checks:
  - {name: alive, type: file, path: ${dir}/live, groups: [live, started]}
  - {name: ready, type: file, path: ${dir}/ready, groups: [ready]}
`,
      );
      try {
        const port = Number(
          (await waitForLog(vitals, /serving grpc\.health\.v1 on 127\.0\.0\.1:(\d+)/))[1],
        );
        const ask = async (service: string) => (await goClient(client, port, service)).out;
        // UP
        for (const service of ["", "live", "ready", "started"]) {
          assert.deepEqual(await goClient(client, port, service), { code: 0, out: "SERVING" });
        }
        const unknown = await goClient(client, port, "readiness");
        assert.equal(unknown.code, 2);
        assert.match(unknown.out, /^error NotFound: Unknown service "readiness"/);

        // DOWN, seen by a Watch within one refresh
        const watch = execFile(client, [
          "-addr",
          `127.0.0.1:${port}`,
          "-service",
          "ready",
          "-watch",
          "-timeout",
          "20s",
        ]);
        const seen: { text: string } = { text: "" };
        const text = (): string => seen.text;
        watch.stdout!.on("data", (chunk) => seen.text += String(chunk));
        const watchEnded = new Promise((resolve) => watch.on("exit", resolve));
        const deadline = performance.now() + 5000;
        while (!seen.text.includes("SERVING\n") && performance.now() < deadline) await sleep(20);
        assert.equal(text(), "SERVING\n");
        rmSync(`${dir}/ready`);
        const removed = performance.now();
        while (!seen.text.includes("NOT_SERVING") && performance.now() < removed + 5000) {
          await sleep(10);
        }
        const took = performance.now() - removed;
        assert.equal(text(), "SERVING\nNOT_SERVING\n");
        // One ttl for the file check to re-run, one poll (at most the ttl) to see it, and slack.
        assert.ok(took < 2 * TTL + 400, `Watch delivered the change in ${Math.round(took)} ms`);
        console.log(
          `Watch delivered a change ${Math.round(took)} ms after it happened (ttl ${TTL} ms)`,
        );
        assert.equal(await ask("ready"), "NOT_SERVING");
        assert.equal(await ask(""), "NOT_SERVING");
        assert.equal(await ask("live"), "SERVING");
        assert.equal(await ask("started"), "SERVING");

        // Draining: ready NOT_SERVING at once, live and "" as over HTTP
        writeFileSync(`${dir}/ready`, "");
        while (
          !seen.text.endsWith("NOT_SERVING\nSERVING\n") && performance.now() < removed + 5000
        ) {
          await sleep(10);
        }
        assert.equal(await ask("ready"), "SERVING");
        signal(vitals, "SIGTERM");
        await waitForLog(vitals, /readiness is DOWN/);
        assert.equal(await ask("ready"), "NOT_SERVING");
        assert.equal(await ask("live"), "SERVING");
        assert.equal(await ask(""), "SERVING");
        const http = await fetch(`${vitals.url}/health/ready`);
        assert.equal(http.status, 503, "HTTP says the same");
        await http.body?.cancel();

        // After the drain delay the port closes and the Watch ends UNAVAILABLE.
        assert.equal(await vitals.exited, 0);
        await watchEnded;
        assert.match(seen.text, /SERVING\nNOT_SERVING\nSERVING\nNOT_SERVING\nend Unavailable: /);
        const closed = await goClient(client, port, "live", ["-timeout", "300ms"]);
        assert.equal(closed.code, 2);
        assert.match(closed.out, /^error connect/);
      } finally {
        await stop(vitals);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
