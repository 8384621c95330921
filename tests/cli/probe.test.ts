// `vitals probe` (src/cli/probe.ts), run in this process through the command
// runner against real servers on 127.0.0.1: the URL it asks (VITALS_PORT,
// --group, --url), its exit codes and its one line on standard error (a
// non-200 answer, a closed port, a server that never answers), usage errors.
// What probe loads (no YAML parser, no zod) is in
// tests/scenarios/cli_imports.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { probeUrl } from "../../src/cli/probe.ts";
import { type CliRun, runCliHere } from "../_helpers/cli.ts";
import { platform } from "../_helpers/platform.ts";
import { closedPort, json, startServer } from "../_helpers/servers.ts";
import { gate } from "../_helpers/waits.ts";

/** Runs `vitals probe <args>` in this process with `env` as its whole environment. */
function probe(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCliHere(["probe", ...args], { ...platform, env: () => ({ ...env }) });
}

/** A server answering every request with `answer`, recording the path and User-Agent asked. */
async function vitalsLike(answer: () => Response) {
  const seen: { path: string; userAgent: string | null }[] = [];
  const server = await startServer((request) => {
    const url = new URL(request.url);
    seen.push({ path: url.pathname, userAgent: request.headers.get("user-agent") });
    return answer();
  });
  return { ...server, seen };
}

test("probe asks 127.0.0.1 at VITALS_PORT for /health/ready/simple, exits 0 on 200 and prints nothing", async () => {
  const server = await vitalsLike(() => json({ status: "UP" }));
  try {
    const result = await probe([], { VITALS_PORT: String(server.port) });
    assert.deepEqual(result, { code: 0, stdout: "", stderr: "" });
    assert.deepEqual(server.seen.map((request) => request.path), ["/health/ready/simple"]);
    assert.match(server.seen[0]!.userAgent ?? "", /^vitals-probe\/\d/);
  } finally {
    await server.close();
  }
});

test("probe exits 1 on a 503 and says which URL answered what", async () => {
  const server = await vitalsLike(() => json({ status: "DOWN" }, 503));
  try {
    const result = await probe([], { VITALS_PORT: String(server.port) });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.equal(
      result.stderr,
      `vitals probe: ${server.url}/health/ready/simple answered 503 {"status":"DOWN"}`,
    );
  } finally {
    await server.close();
  }
});

test("probe --group picks the group's /simple path, and all is /health/simple", async () => {
  const server = await vitalsLike(() => json({ status: "UP" }));
  try {
    for (const group of ["live", "ready", "started", "all"]) {
      const result = await probe(["--group", group], { VITALS_PORT: String(server.port) });
      assert.equal(result.code, 0, `--group ${group}: ${result.stderr}`);
    }
    assert.deepEqual(server.seen.map((request) => request.path), [
      "/health/live/simple",
      "/health/ready/simple",
      "/health/started/simple",
      "/health/simple",
    ]);
  } finally {
    await server.close();
  }
});

test("probe --url overrides --group and VITALS_PORT", async () => {
  const server = await vitalsLike(() => json({ status: "UP" }));
  try {
    const result = await probe(
      ["--url", `${server.url}/custom?x=1`, "--group", "live"],
      { VITALS_PORT: "1" },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(server.seen.map((request) => request.path), ["/custom"]);
  } finally {
    await server.close();
  }
});

test("probeUrl defaults to port 8080 and the ready group", () => {
  assert.equal(probeUrl({}, {}), "http://127.0.0.1:8080/health/ready/simple");
  assert.equal(
    probeUrl({ group: "started" }, { VITALS_PORT: "9090" }),
    "http://127.0.0.1:9090/health/started/simple",
  );
});

test("only a 200 counts: a 204 and an unfollowed redirect exit 1", async () => {
  let answer = () => new Response(null, { status: 204 });
  const server = await vitalsLike(() => answer());
  try {
    const env = { VITALS_PORT: String(server.port) };
    const noContent = await probe([], env);
    assert.equal(noContent.code, 1);
    assert.equal(noContent.stderr, `vitals probe: ${server.url}/health/ready/simple answered 204`);
    answer = () => new Response(null, { status: 302, headers: { location: "/health/live" } });
    const redirect = await probe([], env);
    assert.equal(redirect.code, 1);
    assert.match(redirect.stderr, /answered 302$/);
    assert.equal(server.seen.length, 2, "the redirect was not followed");
  } finally {
    await server.close();
  }
});

test("probe quotes at most 200 characters of a body, on one line", async () => {
  const server = await vitalsLike(() =>
    new Response(`first line\nsecond\u001b[31m ${"x".repeat(5_000)}`, { status: 500 })
  );
  try {
    const { code, stderr } = await probe([], { VITALS_PORT: String(server.port) });
    assert.equal(code, 1);
    assert.equal(stderr.split("\n").length, 1, stderr);
    assert.ok(stderr.includes("answered 500 first line\\nsecond\\u001b[31m xxx"), stderr);
    assert.ok(stderr.endsWith("x..."), stderr);
    const quoted = stderr.slice(stderr.indexOf("answered 500 ") + "answered 500 ".length);
    assert.equal(quoted.length, 203);
  } finally {
    await server.close();
  }
});

test("probe exits 1 when nothing listens: cannot connect: connection refused", async () => {
  const port = await closedPort();
  const result = await probe([], { VITALS_PORT: String(port) });
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    `vitals probe: http://127.0.0.1:${port}/health/ready/simple cannot connect: connection refused`,
  );
});

test("probe exits 1 after --timeout when the server never answers", async () => {
  const hold = gate();
  const server = await startServer(async () => {
    await hold.promise;
    return json({ status: "UP" });
  });
  try {
    const started = performance.now();
    const result = await probe(["--timeout", "300ms"], { VITALS_PORT: String(server.port) });
    const elapsed = performance.now() - started;
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `vitals probe: ${server.url}/health/ready/simple timed out after 300 ms`,
    );
    assert.ok(elapsed >= 280 && elapsed < 3_000, `took ${Math.round(elapsed)} ms`);
  } finally {
    hold.open();
    await server.close();
  }
});

test("probe's default timeout is 1 s", async () => {
  const hold = gate();
  const server = await startServer(async () => {
    await hold.promise;
    return json({ status: "UP" });
  });
  try {
    const started = performance.now();
    const result = await probe([], { VITALS_PORT: String(server.port) });
    const elapsed = performance.now() - started;
    assert.equal(result.code, 1);
    assert.match(result.stderr, /timed out after 1000 ms$/);
    assert.ok(elapsed >= 980 && elapsed < 4_000, `took ${Math.round(elapsed)} ms`);
  } finally {
    hold.open();
    await server.close();
  }
});

test("probe exits 2 naming the flag or variable for a bad --group, --timeout, --url, VITALS_PORT, VITALS_TLS or TLS file", async () => {
  const cases: [string[], Record<string, string>, string][] = [
    [["--group", "health"], {}, 'Invalid --group "health": expected live, ready, started or all'],
    [
      ["--timeout", "fast"],
      {},
      'Invalid --timeout "fast": expected a duration such as 250ms, 5s, 1m30s or 1h\n',
    ],
    [
      ["--timeout", "0"],
      {},
      'Invalid --timeout "0": expected a duration above 0 and at most 24 days\n',
    ],
    [
      ["--timeout", "2"],
      {},
      'Invalid --timeout "2": expected a duration with a unit: write 2s or 2ms\n',
    ],
    [
      ["--timeout", "1500"],
      {},
      'Invalid --timeout "1500": expected a duration with a unit: write 1500ms or 1500s\n',
    ],
    [["--url", "ftp://host/x"], {}, 'Invalid --url "ftp://host/x": expected an http://'],
    [["--url", "127.0.0.1:8080"], {}, 'Invalid --url "127.0.0.1:8080": expected an http://'],
    [["--url", "nonsense://a:pw@x"], {}, 'Invalid --url "nonsense://***@x"'],
    [[], { VITALS_PORT: "http" }, 'Invalid VITALS_PORT "http": expected an integer from 1'],
    [[], { VITALS_PORT: "0" }, 'Invalid VITALS_PORT "0": expected an integer from 1'],
    [[], { VITALS_TLS: "yes" }, 'Invalid VITALS_TLS "yes": expected 1 or true (https)'],
    [
      ["--cacert", "/nonexistent/ca.pem"],
      { VITALS_TLS: "1" },
      'Cannot read --cacert "/nonexistent/ca.pem"',
    ],
    [["--key", "k.pem"], { VITALS_TLS: "1" }, "Invalid --key without --cert"],
    [["extra"], {}, "Unexpected argument 'extra'"],
  ];
  for (const [args, env, message] of cases) {
    const result = await probe(args, env);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.ok(result.stderr.includes(message), `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, /Run "vitals probe --help" for usage\.$/);
  }
});
