// The four check kinds against real things: processes, a TCP listener, a closed
// port, HTTP servers and a TabbyAPI stand-in, all on 127.0.0.1.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createCheck } from "../src/checks/create_check.ts";
import {
  CHECK_BASE,
  CHECK_META,
  closedPort,
  eventually,
  json,
  platform,
  processExists,
  startServer,
  startTabby,
} from "./helpers.ts";
import type { CheckConfig } from "../src/config/resolve.ts";

function run(config: CheckConfig) {
  return createCheck(config, { platform }).run();
}

function command(command: string[], extra: Partial<CheckConfig> = {}): CheckConfig {
  return { ...CHECK_BASE, name: "cmd", type: "command", command, ...extra } as CheckConfig;
}

test("command exiting 0 is UP", async () => {
  const result = await run(command(["true"]));
  assert.equal(result.status, "UP");
  assert.equal(result.message, "exit 0");
  assert.equal(result.name, "cmd");
  assert.equal(result.type, "command");
  assert.equal(result.critical, true);
  assert.ok(result.durationMs >= 0);
  assert.ok(!Number.isNaN(Date.parse(result.checkedAt)));
});

test("command exiting non-zero is DOWN with the exit code", async () => {
  const result = await run(command(["false"]));
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, "exit code 1");
});

test("command failure message carries the tail of combined output", async () => {
  const result = await run(command(["sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"]));
  assert.equal(result.status, "DOWN");
  assert.match(result.message, /^exit code 3: /);
  assert.match(result.message, /to-stdout/);
  assert.match(result.message, /to-stderr/);
});

test("command output beyond 4 KiB keeps only the last 4096 bytes", async () => {
  const result = await run(
    command(["sh", "-c", "head -c 20000 /dev/zero | tr '\\0' a; printf END; exit 1"]),
  );
  assert.equal(result.status, "DOWN");
  assert.match(result.message, /^exit code 1 \(last 4096 of 20003 bytes\): a+END$/);
  assert.ok(result.message.length < 4200);
});

test("command that does not exist is DOWN: command not found", async () => {
  const result = await run(command(["vitals-no-such-program"]));
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, 'command not found: "vitals-no-such-program"');
});

test("command that is not executable is DOWN with permission denied", async () => {
  const { writeFile } = await import("node:fs/promises");
  const file = `${await makeTempDir()}/not-executable.sh`;
  await writeFile(file, "#!/bin/sh\nexit 0\n", { mode: 0o644 });
  const result = await run(command([file]));
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, `command not executable: "${file}" (permission denied)`);
});

test("command runs in cwd with extra env merged over the sidecar's", async () => {
  const result = await run(
    command(["sh", "-c", 'test "$(pwd)" = /tmp && test "$VITALS_T" = yes && test -n "$PATH"'], {
      cwd: "/tmp",
      env: { VITALS_T: "yes" },
    } as Partial<CheckConfig>),
  );
  assert.equal(result.status, "UP", result.message);
});

test("command past its timeout is DOWN and its process is killed", async () => {
  const dir = await makeTempDir();
  const pidFile = `${dir}/pid`;
  const started = performance.now();
  const result = await run(
    command(
      ["sh", "-c", `echo $$ > ${pidFile}; exec sleep 5`],
      { timeout: 200 } as Partial<CheckConfig>,
    ),
  );
  const elapsed = performance.now() - started;
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, "timed out after 200 ms");
  assert.ok(elapsed < 2000, `returned after ${elapsed} ms, expected about 200 ms`);
  const pid = Number((await platform.readTextFile(pidFile)).trim());
  assert.ok(pid > 0);
  assert.ok(await eventually(() => !processExists(pid)), `process ${pid} still running`);
});

test("command timeout also kills background children of the command", async () => {
  const dir = await makeTempDir();
  const pidFile = `${dir}/bg`;
  const result = await run(
    command(["sh", "-c", `sleep 30 & echo $! > ${pidFile}; sleep 30`], { timeout: 300 } as Partial<
      CheckConfig
    >),
  );
  assert.equal(result.status, "DOWN");
  const pid = Number((await platform.readTextFile(pidFile)).trim());
  assert.ok(await eventually(() => !processExists(pid)), `background process ${pid} survived`);
});

test("tcp connect to a listening port is UP", async () => {
  const server = await startServer(() => new Response("x"));
  try {
    const result = await run({
      ...CHECK_BASE,
      name: "t",
      type: "tcp",
      host: "127.0.0.1",
      port: server.port,
    });
    assert.equal(result.status, "UP");
    assert.equal(result.message, `connected to 127.0.0.1:${server.port}`);
  } finally {
    await server.close();
  }
});

test("tcp connect to a closed port is DOWN: connection refused", async () => {
  const port = await closedPort();
  const result = await run({ ...CHECK_BASE, name: "t", type: "tcp", host: "127.0.0.1", port });
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, `cannot connect to 127.0.0.1:${port}: connection refused`);
});

test("tcp connect to a name that does not resolve is DOWN", async () => {
  const result = await run({
    ...CHECK_BASE,
    name: "t",
    type: "tcp",
    host: "vitals-test.invalid",
    port: 80,
  });
  assert.equal(result.status, "DOWN");
  assert.match(result.message, /cannot connect to vitals-test\.invalid:80: name does not resolve/);
});

function http(url: string, extra: Partial<CheckConfig> = {}): CheckConfig {
  return { ...CHECK_BASE, name: "web", type: "http", url, method: "GET", ...extra } as CheckConfig;
}

test("http 200 is UP and 3xx counts as UP by default, like kubelet", async () => {
  const server = await startServer((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/moved") {
      return new Response(null, { status: 302, headers: { location: "/gone" } });
    }
    return new Response("fine");
  });
  try {
    assert.equal((await run(http(`${server.url}/ok`))).message, "HTTP 200");
    const moved = await run(http(`${server.url}/moved`));
    assert.equal(moved.status, "UP");
    assert.equal(moved.message, "HTTP 302");
  } finally {
    await server.close();
  }
});

test("http redirect is not followed: the 3xx itself is judged", async () => {
  let followed = 0;
  const server = await startServer((request) => {
    if (new URL(request.url).pathname === "/target") followed++;
    return new Response(null, { status: 301, headers: { location: "/target" } });
  });
  try {
    const result = await run(
      http(`${server.url}/start`, { expectStatus: [200] } as Partial<CheckConfig>),
    );
    assert.equal(result.status, "DOWN");
    assert.equal(result.message, "HTTP 301, redirect to /target not followed (expected 200)");
    assert.equal(followed, 0);
  } finally {
    await server.close();
  }
});

test("http status outside expectStatus is DOWN, inside it is UP", async () => {
  const server = await startServer(() => new Response("busy", { status: 503 }));
  try {
    const down = await run(http(server.url));
    assert.equal(down.status, "DOWN");
    assert.equal(down.message, "HTTP 503 (expected 200-399)");
    const up = await run(http(server.url, { expectStatus: [503] } as Partial<CheckConfig>));
    assert.equal(up.status, "UP");
  } finally {
    await server.close();
  }
});

test("http bodyContains matches the body and reports a miss", async () => {
  const server = await startServer(() => new Response('{"ready":true}'));
  try {
    const hit = await run(
      http(server.url, { bodyContains: '"ready":true' } as Partial<CheckConfig>),
    );
    assert.equal(hit.status, "UP");
    const miss = await run(http(server.url, { bodyContains: "nope" } as Partial<CheckConfig>));
    assert.equal(miss.status, "DOWN");
    assert.equal(miss.message, 'HTTP 200 but the body does not contain "nope" (read 14 bytes)');
  } finally {
    await server.close();
  }
});

test("http bodyContains reads at most 64 KiB of the body", async () => {
  // The marker sits past 64 KiB, so it must not be found.
  const body = "a".repeat(70 * 1024) + "MARKER";
  const server = await startServer(() => new Response(body));
  try {
    const result = await run(http(server.url, { bodyContains: "MARKER" } as Partial<CheckConfig>));
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /read the first 65536 bytes/);
  } finally {
    await server.close();
  }
});

test("http sends configured headers, the method, and a vitals User-Agent", async () => {
  const seen: { method: string; probe: string | null; agent: string | null }[] = [];
  const server = await startServer((request) => {
    seen.push({
      method: request.method,
      probe: request.headers.get("x-probe"),
      agent: request.headers.get("user-agent"),
    });
    return new Response("ok");
  });
  try {
    const result = await run(
      http(
        server.url,
        { method: "HEAD", headers: { "X-Probe": "vitals" } } as Partial<CheckConfig>,
      ),
    );
    assert.equal(result.status, "UP");
    assert.equal(seen[0]?.method, "HEAD");
    assert.equal(seen[0]?.probe, "vitals");
    assert.match(seen[0]?.agent ?? "", /^vitals\//);
  } finally {
    await server.close();
  }
});

test("http response slower than the timeout is DOWN: timed out", async () => {
  let release = () => {};
  const server = await startServer(() =>
    new Promise<Response>((resolve) => {
      const timer = setTimeout(() => resolve(new Response("late")), 3000);
      release = () => {
        clearTimeout(timer);
        resolve(new Response("late"));
      };
    })
  );
  try {
    const started = performance.now();
    const result = await run(http(server.url, { timeout: 200 } as Partial<CheckConfig>));
    const elapsed = performance.now() - started;
    assert.equal(result.status, "DOWN");
    assert.equal(result.message, "timed out after 200 ms");
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  } finally {
    release();
    await server.close();
  }
});

test("http to a closed port is DOWN: connection refused", async () => {
  const port = await closedPort();
  const result = await run(http(`http://127.0.0.1:${port}/`));
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, `GET http://127.0.0.1:${port}/ failed: connection refused`);
});

function tabby(url: string, extra: Partial<CheckConfig> = {}): CheckConfig {
  return {
    ...CHECK_BASE,
    name: "llm",
    type: "tabbyapi",
    url,
    path: "/health",
    requireModel: false,
    ...extra,
  } as CheckConfig;
}

test("tabbyapi healthy 200 is UP", async () => {
  const server = await startTabby();
  try {
    const result = await run(tabby(server.url));
    assert.equal(result.status, "UP");
    assert.equal(result.message, "healthy");
    assert.equal(server.state.requests[0]?.path, "/health");
    assert.equal(server.state.requests[0]?.method, "GET");
  } finally {
    await server.close();
  }
});

test("tabbyapi accepts the status word ok as healthy", async () => {
  const server = await startServer(() => json({ status: "ok", issues: [] }));
  try {
    const result = await run(tabby(server.url));
    assert.equal(result.status, "UP");
    assert.equal(result.message, "ok");
  } finally {
    await server.close();
  }
});

test("tabbyapi unhealthy 503 is DOWN with the newest five issues, newest first", async () => {
  const issues = Array.from({ length: 7 }, (_, i) => ({
    time: `2026-11-21T11:24:4${i}.342748Z`,
    description: `RuntimeError: failure ${i}`,
  }));
  const server = await startTabby({ issues });
  try {
    const result = await run(tabby(server.url));
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /^unhealthy \(HTTP 503\): 7 issues \(newest 5 shown\): /);
    assert.match(result.message, /\[2026-11-21T11:24:46\.342748Z\] RuntimeError: failure 6; /);
    assert.ok(result.message.indexOf("failure 6") < result.message.indexOf("failure 2"));
    assert.ok(!result.message.includes("failure 1"));
  } finally {
    await server.close();
  }
});

test("tabbyapi at the wrong path (v1/health) is DOWN with a clear 404 message", async () => {
  const server = await startTabby();
  try {
    const result = await run(tabby(server.url, { path: "/v1/health" } as Partial<CheckConfig>));
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /^HTTP 404 from .*\/v1\/health: no health endpoint there/);
  } finally {
    await server.close();
  }
});

test("tabbyapi sends the API key as x-api-key and Bearer when set", async () => {
  const server = await startTabby();
  try {
    await run(tabby(server.url, { apiKey: "secret-key" } as Partial<CheckConfig>));
    assert.equal(server.state.requests[0]?.xApiKey, "secret-key");
    assert.equal(server.state.requests[0]?.authorization, "Bearer secret-key");
    await run(tabby(server.url, { apiKey: "" } as Partial<CheckConfig>));
    assert.equal(server.state.requests[1]?.xApiKey, null);
    assert.equal(server.state.requests[1]?.authorization, null);
  } finally {
    await server.close();
  }
});

test("tabbyapi requireModel: no model loaded is DOWN, a loaded model is UP", async () => {
  const server = await startTabby();
  const config = tabby(
    server.url,
    { apiKey: "secret-key", requireModel: true } as Partial<CheckConfig>,
  );
  try {
    const none = await run(config);
    assert.equal(none.status, "DOWN");
    assert.equal(none.message, "healthy, but no model loaded");
    server.state.model = "Qwen2.5-7B-exl2";
    const loaded = await run(config);
    assert.equal(loaded.status, "UP");
    assert.equal(loaded.message, 'healthy, model "Qwen2.5-7B-exl2" loaded');
    assert.deepEqual(server.state.requests.map((r) => r.path), [
      "/health",
      "/v1/model",
      "/health",
      "/v1/model",
    ]);
  } finally {
    await server.close();
  }
});

test("tabbyapi requireModel with a wrong key is DOWN: API key rejected", async () => {
  const server = await startTabby({ model: "m" });
  try {
    const wrong = await run(
      tabby(server.url, { apiKey: "wrong", requireModel: true } as Partial<CheckConfig>),
    );
    assert.equal(wrong.status, "DOWN");
    assert.equal(wrong.message, "API key rejected by /v1/model");
    const missing = await run(tabby(server.url, { requireModel: true } as Partial<CheckConfig>));
    assert.equal(missing.message, "API key required by /v1/model: set apiKey");
  } finally {
    await server.close();
  }
});

test("tabbyapi non-JSON or unexpected bodies are DOWN with a clear message", async () => {
  const server = await startServer((request) =>
    new URL(request.url).pathname === "/html"
      ? new Response("<html>hi</html>", { headers: { "content-type": "text/html" } })
      : json({ hello: "world" })
  );
  try {
    const html = await run(tabby(server.url, { path: "/html" } as Partial<CheckConfig>));
    assert.equal(html.status, "DOWN");
    assert.match(html.message, /is not TabbyAPI JSON \(text\/html\): "<html>hi<\/html>"/);
    const other = await run(tabby(server.url));
    assert.equal(other.status, "DOWN");
    assert.match(other.message, /is not TabbyAPI JSON/);
  } finally {
    await server.close();
  }
});

test("tabbyapi redirect from /health/ is reported, not followed", async () => {
  const server = await startTabby();
  try {
    const result = await run(tabby(`${server.url}/`, { path: "/health/" } as Partial<CheckConfig>));
    assert.equal(result.status, "DOWN");
    assert.match(result.message, /HTTP 307 .* redirect to \/health not followed/);
  } finally {
    await server.close();
  }
});

test("a probe that throws becomes a DOWN result, never a rejection", async () => {
  const { wrapProbe } = await import("../src/checks/wrap_probe.ts");
  const check = wrapProbe({
    ...CHECK_META,
    name: "x",
    type: "custom",
    critical: false,
    timeout: 1000,
  }, () => {
    throw new Error("boom");
  });
  const result = await check.run();
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, "check failed: boom");
  assert.equal(result.critical, false);
});

test("a probe that ignores its signal still yields DOWN at the timeout", async () => {
  const { wrapProbe } = await import("../src/checks/wrap_probe.ts");
  let release = () => {};
  const check = wrapProbe(
    { ...CHECK_META, name: "stuck", type: "custom", critical: true, timeout: 100 },
    () => new Promise((resolve) => (release = () => resolve({ status: "UP", message: "late" }))),
  );
  const result = await check.run();
  release();
  assert.equal(result.status, "DOWN");
  assert.equal(result.message, "timed out after 100 ms");
});

async function makeTempDir(): Promise<string> {
  const { mkdtemp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  return await mkdtemp(`${tmpdir()}/vitals-test-`);
}

test("credentials in a check's URL never appear in its message", async () => {
  const port = await closedPort();
  const web = await run(http(`http://admin:s3cret@127.0.0.1:${port}/ready`));
  assert.equal(web.status, "DOWN");
  assert.equal(web.message, `GET http://***@127.0.0.1:${port}/ready failed: connection refused`);
  const llm = await run(tabby(`http://admin:s3cret@127.0.0.1:${port}`));
  assert.equal(llm.status, "DOWN");
  assert.doesNotMatch(llm.message, /s3cret|admin/);
  assert.match(llm.message, /http:\/\/\*\*\*@127\.0\.0\.1/);
});

test("a fetch error that quotes the URL has its credentials scrubbed", async () => {
  const { describeFetchError } = await import("../src/checks/_http_read.ts");
  const error = new TypeError("fetch failed", {
    cause: new Error("weird failure for url (http://admin:s3cret@10.0.0.5/ready)"),
  });
  assert.equal(describeFetchError(error), "weird failure for url (http://***@10.0.0.5/ready)");
});
