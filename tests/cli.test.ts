// The command line end to end: main.ts as a real child process (deno run or
// bun), with configs pointing at real listeners on 127.0.0.1.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { closedPort, eventually, platform, processExists, startServer } from "./helpers.ts";
import {
  runVitals,
  serveVitals,
  signal,
  start,
  stop,
  tempFile,
  waitForLog,
} from "./process_helpers.ts";

const KUBELET = { "user-agent": "kube-probe/1.31", accept: "*/*", connection: "close" };
const DIEGO = {
  "user-agent": "diego-healthcheck",
  "x-forwarded-proto": "https",
  "accept-encoding": "gzip",
};

test("check exits 0 when UP and prints a table with every check", async () => {
  const { path } = await tempFile(
    "up.yaml",
    'checks:\n  - {name: ok, type: command, command: ["true"]}\n',
  );
  const result = await runVitals(["check", "--config", path]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^STATUS\s+CHECK\s+TYPE/);
  assert.match(result.stdout, /UP\s+ok\s+command\s+yes/);
  assert.match(result.stdout, /status: UP \(1 check /);
});

test("check exits 1 when a critical check is DOWN, and --json prints the /health body", async () => {
  const port = await closedPort();
  const { path } = await tempFile(
    "down.yaml",
    `checks:\n  - {name: db, type: tcp, port: ${port}}\n`,
  );
  const result = await runVitals(["check", "--json", "--config", path]);
  assert.equal(result.code, 1);
  const body = JSON.parse(result.stdout);
  assert.equal(body.status, "DOWN");
  assert.deepEqual(body.details, [`db: cannot connect to 127.0.0.1:${port}: connection refused`]);
  assert.equal(body.checks[0].name, "db");
});

test("validate prints the check count and exits 0 for a valid config", async () => {
  const { path } = await tempFile(
    "ok.yaml",
    "checks:\n  - {name: a, type: tcp, port: 1}\n  - {name: b, type: tcp, port: 2}\n",
  );
  const result = await runVitals(["validate", "--config", path]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout.trim(), `config OK: 2 checks in "${path}"`);
});

test("validate exits 2 naming the line and key path of every problem, with no stack trace", async () => {
  const { path } = await tempFile(
    "bad.yaml",
    "checks:\n  - name: db\n    type: tcp\n    port: abc\n  - {name: x, type: htp}\n",
  );
  const result = await runVitals(["validate", "--config", path]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /bad\.yaml:4:11: checks\[0\]\.port: expected an integer from 1 to 65535, got "abc"/,
  );
  assert.match(result.stderr, /checks\[1\]\.type: expected one of/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
});

test("a missing config file exits 2 with a clear message", async () => {
  const result = await runVitals(["check", "--config", "/nonexistent/vitals.yaml"]);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr.trim(),
    'Cannot read config "/nonexistent/vitals.yaml": file does not exist',
  );
});

test("the config path comes from VITALS_CONFIG when --config is absent", async () => {
  const { path } = await tempFile("env.yaml", "checks:\n  - {name: a, type: tcp, port: 1}\n");
  const result = await runVitals(["validate"], { env: { VITALS_CONFIG: path } });
  assert.equal(result.code, 0);
  assert.match(result.stdout, /config OK: 1 check in/);
});

test("usage errors exit 2: unknown command, unknown flag, bad port", async () => {
  const unknown = await runVitals(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const flag = await runVitals(["check", "--bogus"]);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--bogus/);
  assert.match(flag.stderr, /vitals check --help/);
  const port = await runVitals(["serve", "--port", "99999"]);
  assert.equal(port.code, 2);
  assert.match(port.stderr, /Invalid --port "99999": expected an integer from 0 to 65535/);
});

test("--help on every subcommand and --version exit 0", async () => {
  for (const command of ["serve", "check", "validate", "schema"]) {
    const result = await runVitals([command, "--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, new RegExp(`Usage: vitals (\\[)?${command}`));
  }
  const version = await runVitals(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^vitals \d+\.\d+\.\d+ \((deno|bun) /);
});

test("schema prints the config's JSON Schema", async () => {
  const result = await runVitals(["schema"]);
  assert.equal(result.code, 0);
  const schema = JSON.parse(result.stdout);
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.ok(schema.properties.checks);
});

test("serve answers kubelet and Cloud Foundry probes, goes DOWN when a target closes and UP when it returns", async () => {
  const web = await startServer(() => new Response("ready"));
  let target = await startServer(() => new Response("redis stand-in"));
  const port = target.port;
  const { path } = await tempFile(
    "serve.yaml",
    `cache: {ttl: 200ms}\nchecks:\n  - {name: redis, type: tcp, port: ${port}, timeout: 1s}\n` +
      `  - {name: web, type: http, url: "${web.url}/ready", bodyContains: ready}\n`,
  );
  const vitals = await serveVitals(path);
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
  const { dir } = await tempFile("unused", "");
  const runs = `${dir}/runs`;
  const { path } = await tempFile(
    "burst.yaml",
    `cache: {ttl: 30s}\nchecks:\n  - {name: counter, type: command, command: ["sh", "-c", "echo run >> ${runs}; sleep 0.2"]}\n`,
  );
  const vitals = await serveVitals(path);
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
  const { path } = await tempFile("taken.yaml", "checks:\n  - {name: a, type: tcp, port: 1}\n");
  try {
    const result = await runVitals([
      "serve",
      "--config",
      path,
      "--host",
      "127.0.0.1",
      "--port",
      String(taken.port),
    ]);
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
  const { path } = await tempFile(
    "envport.yaml",
    "server: {port: 0}\nchecks:\n  - {name: a, type: tcp, port: 1}\n",
  );
  try {
    // The env port is taken, so the failure message proves which port was used.
    const result = await runVitals(["serve", "--config", path, "--host", "127.0.0.1"], {
      env: { VITALS_PORT: String(taken.port) },
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`:${taken.port}: address already in use`));
  } finally {
    await taken.close();
  }
});

test("SIGTERM exits 0 within the grace bound and leaves no check process behind", async () => {
  const { dir } = await tempFile("unused", "");
  const pidFile = `${dir}/pid`;
  const { path } = await tempFile(
    "term.yaml",
    `checks:\n  - {name: slow, type: command, timeout: 60s, command: ["sh", "-c", "echo $$ > ${pidFile}; exec sleep 60"]}\n`,
  );
  const vitals = await serveVitals(path);
  try {
    // Start-up runs the checks once, so the slow command is running now.
    assert.ok(
      await eventually(
        async () => (await readFile(pidFile, "utf8").catch(() => "")).trim() !== "",
        5_000,
      ),
    );
    const pid = Number((await readFile(pidFile, "utf8")).trim());
    assert.ok(processExists(pid));
    const started = performance.now();
    signal(vitals, "SIGTERM");
    const code = await vitals.exited;
    const elapsed = performance.now() - started;
    assert.equal(code, 0, vitals.stderr);
    assert.ok(elapsed < 7_000, `took ${elapsed} ms`);
    assert.match(vitals.stderr, /SIGTERM received/);
    assert.ok(await eventually(() => !processExists(pid), 2_000), `check process ${pid} survived`);
  } finally {
    await stop(vitals);
  }
});

test("an in-flight request is answered before shutdown completes", async () => {
  const { path } = await tempFile(
    "inflight.yaml",
    `cache: {ttl: 0}\nchecks:\n  - {name: slow, type: command, command: ["sleep", "0.5"]}\n`,
  );
  const vitals = await serveVitals(path);
  try {
    await waitForLog(vitals, /status UP/);
    const pending = fetch(`${vitals.url}/health/simple`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    signal(vitals, "SIGTERM");
    const response = await pending;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "UP" });
    assert.equal(await vitals.exited, 0);
  } finally {
    await stop(vitals);
  }
});

test("start-up logs one line with address, config file, check count and runtime", async () => {
  const { path } = await tempFile(
    "log.yaml",
    'checks:\n  - {name: a, type: command, command: ["true"]}\n',
  );
  const vitals = await serveVitals(path, { args: ["--log-format", "text"] });
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

test("a process that exits by itself is not stopped by a stray start()", async () => {
  // Guards the helper: start() + stop() must not hang on an already-exited child.
  const running = start(["--version"]);
  assert.equal(await running.exited, 0);
  await stop(running);
  assert.match(running.stdout, /^vitals /);
});
