// `vitals serve` end to end (src/cli/serve.ts), with main.ts as a real child
// process and configs pointing at real listeners on 127.0.0.1: kubelet and
// Cloud Foundry probes through DOWN and back UP, a burst of requests on a cold
// start, the listen address (a taken port, VITALS_PORT), and the start-up log
// line.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { tempDir } from "../_helpers/files.ts";
import { platform } from "../_helpers/platform.ts";
import { startServer } from "../_helpers/servers.ts";
import { eventually } from "../_helpers/waits.ts";
import { runWithConfig, serveConfig, stop, waitForLog } from "../_helpers/processes.ts";

const KUBELET = { "user-agent": "kube-probe/1.31", accept: "*/*", connection: "close" };
const DIEGO = {
  "user-agent": "diego-healthcheck",
  "x-forwarded-proto": "https",
  "accept-encoding": "gzip",
};

test("serve answers kubelet and Cloud Foundry probes, goes DOWN when a target closes and UP when it returns", async () => {
  const web = await startServer(() => new Response("ready"));
  let target = await startServer(() => new Response("redis stand-in"));
  const port = target.port;
  const vitals = await serveConfig(
    "serve.yaml",
    `cache: {ttl: 200ms}\nchecks:\n  - {name: redis, type: tcp, port: ${port}, timeout: 1s}\n` +
      `  - {name: web, type: http, url: "${web.url}/ready", bodyContains: ready}\n`,
  );
  try {
    const kube = await fetch(`${vitals.url}/health/simple`, { headers: KUBELET });
    assert.equal(kube.status, 200);
    assert.deepEqual(await kube.json(), { status: "UP" });
    const diego = await fetch(`${vitals.url}/health/simple`, { headers: DIEGO });
    assert.equal(diego.status, 200);
    await diego.body?.cancel();

    await target.close();
    assert.ok(
      await eventually(async () => {
        const response = await fetch(`${vitals.url}/health`, { headers: KUBELET });
        const body = await response.json();
        return response.status === 503 && body.details[0]?.startsWith("redis: cannot connect");
      }, 5_000),
      "503 after the target closed and the ttl passed",
    );
    assert.match(vitals.stderr, /UP -> DOWN: redis: cannot connect/);

    target = await platform.serve({
      hostname: "127.0.0.1",
      port,
      handler: () => Promise.resolve(new Response()),
    })
      .then((server) => ({ port, url: "", close: () => server.shutdown(0) }));
    assert.ok(
      await eventually(async () => {
        const response = await fetch(`${vitals.url}/health/simple`, { headers: DIEGO });
        await response.body?.cancel();
        return response.status === 200;
      }, 5_000),
      "200 again after the target came back",
    );
    assert.match(vitals.stderr, /DOWN -> UP/);
    // One log line per status change, none per probe request.
    assert.equal(vitals.stderr.match(/ -> /g)?.length, 2);
  } finally {
    await stop(vitals);
    await target.close();
    await web.close();
  }
});

test("200 concurrent requests to /health on a cold start run each check exactly once", async () => {
  const dir = await tempDir();
  const runs = `${dir}/runs`;
  const vitals = await serveConfig(
    "burst.yaml",
    `cache: {ttl: 30s}\nchecks:\n  - {name: counter, type: command, command: ["sh", "-c", "echo run >> ${runs}; sleep 0.2"]}\n`,
  );
  try {
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => fetch(`${vitals.url}/health`).then((r) => r.json())),
    );
    assert.equal(responses.length, 200);
    assert.ok(responses.every((body) => body.status === "UP"));
    const lines = (await readFile(runs, "utf8")).trim().split("\n");
    assert.equal(lines.length, 1, `the check ran ${lines.length} times`);
  } finally {
    await stop(vitals);
  }
});

test("a taken port exits 1 with: Cannot listen on HOST:PORT: address already in use", async () => {
  const taken = await startServer(() => new Response());
  try {
    const result = await runWithConfig(
      ["serve", "--host", "127.0.0.1", "--port", String(taken.port)],
      "taken.yaml",
      "checks:\n  - {name: a, type: tcp, port: 1}\n",
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${taken.port}: address already in use`),
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  } finally {
    await taken.close();
  }
});

test("VITALS_PORT overrides the config file's port", async () => {
  const taken = await startServer(() => new Response());
  try {
    // The env port is taken, so the failure message proves which port was used.
    const result = await runWithConfig(
      ["serve", "--host", "127.0.0.1"],
      "envport.yaml",
      "server: {port: 0}\nchecks:\n  - {name: a, type: tcp, port: 1}\n",
      { env: { VITALS_PORT: String(taken.port) } },
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`:${taken.port}: address already in use`));
  } finally {
    await taken.close();
  }
});

test("start-up logs one line with address, config file, check count and runtime", async () => {
  const vitals = await serveConfig(
    "log.yaml",
    'checks:\n  - {name: a, type: command, command: ["true"]}\n',
    { args: ["--log-format", "text"] },
  );
  try {
    const line = vitals.stderr.split("\n").find((l) => l.includes("listening on")) ?? "";
    assert.match(
      line,
      /INFO vitals \S+ listening on http:\/\/127\.0\.0\.1:\d+ \(config ".*log\.yaml", 1 check, (deno|bun) /,
    );
    await waitForLog(vitals, /status UP \(1 check\)/);
    await fetch(`${vitals.url}/health`).then((r) => r.body?.cancel());
    await fetch(`${vitals.url}/health/simple`).then((r) => r.body?.cancel());
    assert.equal(vitals.stderr.trim().split("\n").length, 2, "no log line per request");
  } finally {
    await stop(vitals);
  }
});
