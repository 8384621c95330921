// The maintenance switch end to end: `vitals serve` with server.controlToken
// as a child process, switched by `vitals maint` run as another: refused
// without the token or with a wrong one (nothing changes); `maint on` holding
// /health/ready at 503 with the reason (and gRPC's `ready` NOT_SERVING) while
// /health/live answers 200 throughout; kept through a SIGHUP reload, cleared
// by a restart; `maint off` bringing ready back to 200. On the runtime running
// the tests (Deno or Bun) and as the compiled binary. How long `maint on`
// took to show as a 503 is printed as a `maint timing` line.

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { test } from "node:test";
import { compiledBinary } from "../_helpers/binary.ts";
import { callCheck, NOT_SERVING, SERVING } from "../_helpers/grpc_client.ts";
import {
  type Finished,
  runVitals,
  serveConfig,
  serveVitals,
  type Serving,
  signal,
  stop,
  waitForLog,
} from "../_helpers/processes.ts";
import { waitForEntry } from "../_helpers/serve_log.ts";
import { sleep } from "../_helpers/waits.ts";

const TOKEN = "e2e-c0ntrol-token";
const CONFIG = (extra = "") =>
  `server: {controlToken: ${TOKEN}, grpc: {port: 0}}
cache: {ttl: 30s}
checks:
  - {name: db, type: command, command: ["true"], groups: [live, ready]}
${extra}`;

/** The ready status and body, read once. */
async function ready(url: string): Promise<{ status: number; details: string[] }> {
  const response = await fetch(`${url}/health/ready`);
  const body = await response.json() as { details: string[] };
  return { status: response.status, details: body.details };
}

/** Polls `/health/ready` every 50 ms until it answers `status`, for at most `limitMs`; ms taken. */
async function readyTurns(url: string, status: number, limitMs = 1_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const seen = (await ready(url)).status;
    const took = performance.now() - started;
    if (seen === status) return took;
    assert.ok(took < limitMs, `/health/ready still ${seen} after ${Math.round(took)} ms`);
    await sleep(50);
  }
}

/** GETs `/health/live` every 50 ms until stopped; every status seen. */
function watchLive(url: string) {
  const seen: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const response = await fetch(`${url}/health/live`);
      await response.body?.cancel();
      seen.push(response.status);
      await sleep(50);
    }
  })();
  return {
    seen,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** A raw POST /maintenance with a body, over a socket; the status line's code. */
function postWithBody(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => resolve(text.split(" ")[1] ?? ""));
    socket.write(
      `POST /maintenance?reason=x HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${TOKEN}\r\n` +
        "Content-Length: 5\r\nConnection: close\r\n\r\nhello",
    );
  });
}

/** Runs the whole story with `command` as vitals (the runtime under test by default). */
async function story(command?: string[]): Promise<void> {
  const base = command ? { command } : {};
  let vitals: Serving & { path: string } = await serveConfig("maint.yaml", CONFIG(), base);
  const cli = (args: string[], token?: string): Promise<Finished> =>
    runVitals(["maint", ...args, "--url", vitals.url], {
      ...base,
      ...(token === undefined
        ? { unset: ["VITALS_CONTROL_TOKEN", "VITALS_URL"] }
        : { env: { VITALS_CONTROL_TOKEN: token }, unset: ["VITALS_URL"] }),
    });
  const live = watchLive(vitals.url);
  try {
    const grpcPort = Number(
      (await waitForLog(vitals, /serving grpc\.health\.v1 on 127\.0\.0\.1:(\d+)/))[1],
    );
    assert.equal(await readyTurns(vitals.url, 200, 20_000) >= 0, true);

    // Refused: no token, then a wrong one; nothing changes.
    for (const token of [undefined, "wrong-token"]) {
      const refused = await cli(["on", "--reason", "db migration"], token);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, /refused: the control token is missing or wrong/);
      assert.equal(refused.stderr.includes("none was sent"), token === undefined, refused.stderr);
      assert.equal(refused.stdout, "");
    }
    assert.equal(await postWithBody(vitals.url), "413");
    assert.deepEqual(await ready(vitals.url), { status: 200, details: [] });

    // On: ready turns 503 with the reason; timed from the command's start and from its exit.
    const started = performance.now();
    const on = await cli(["on", "--reason", "db migration"], TOKEN);
    const exited = performance.now();
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stdout, /^maintenance on \(ready\) since \d{4}-\S+Z: db migration\n$/);
    const afterExit = await readyTurns(vitals.url, 503);
    console.log(
      `maint timing (${command ? "binary" : "Bun" in globalThis ? "bun" : "deno"}): ` +
        `503 seen ${Math.round(afterExit)} ms after maint on exited, ` +
        `${Math.round(exited - started + afterExit)} ms after it started`,
    );
    assert.deepEqual((await ready(vitals.url)).details, ["maintenance: db migration"]);
    assert.equal(await callCheck(grpcPort, "ready"), NOT_SERVING);
    assert.equal(await callCheck(grpcPort, "live"), SERVING);
    assert.equal(await callCheck(grpcPort, ""), SERVING);
    assert.equal((await fetch(`${vitals.url}/health`)).status, 200);
    assert.equal((await fetch(`${vitals.url}/health/live`)).status, 200);
    const metrics = await (await fetch(`${vitals.url}/metrics`)).text();
    assert.match(metrics, /^vitals_maintenance\{group="ready"\} 1$/m);
    await waitForEntry(vitals, "warn", /^maintenance on \(ready\) by 127\.0\.0\.1: db migration$/);

    // A SIGHUP reload keeps it.
    await writeFile(
      vitals.path,
      CONFIG('  - {name: cache, type: command, command: ["true"], groups: [live, ready]}\n'),
    );
    signal(vitals, "SIGHUP");
    await waitForEntry(vitals, "info", /^config reloaded \(SIGHUP\): 2 checks; added cache/);
    assert.deepEqual(await ready(vitals.url), {
      status: 503,
      details: ["maintenance: db migration"],
    });
    const status = await cli(["status"], TOKEN);
    assert.match(status.stdout, /^maintenance on \(ready\) since \S+: db migration\n$/);

    // Off: ready back to 200.
    const off = await cli(["off"], TOKEN);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.stdout, "maintenance off\n");
    await readyTurns(vitals.url, 200);
    await waitForEntry(
      vitals,
      "info",
      /^maintenance off \(ready\) by 127\.0\.0\.1; it was: db migration$/,
    );

    await live.stop();
    assert.ok(live.seen.length >= 2, `live was asked ${live.seen.length} times`);
    assert.deepEqual([...new Set(live.seen)], [200], "live stayed 200 throughout");

    // A restart clears it.
    assert.equal((await cli(["on", "--reason", "before restart"], TOKEN)).code, 0);
    assert.equal((await ready(vitals.url)).status, 503);
    await stop(vitals);
    vitals = Object.assign(await serveVitals(vitals.path, base), { path: vitals.path });
    await readyTurns(vitals.url, 200, 20_000);
    const after = await cli(["status"], TOKEN);
    assert.equal(after.stdout, "maintenance off\n", after.stderr);
  } finally {
    await live.stop();
    await stop(vitals);
  }
}

test("maint on holds ready at 503 with the reason, live stays 200, a reload keeps it, off and a restart clear it", async () => {
  await story();
});

test("the compiled binary: maint on holds ready at 503, a reload keeps it, off clears it", async () => {
  await story([await compiledBinary()]);
});
