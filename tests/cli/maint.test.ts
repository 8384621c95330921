// `vitals maint` (src/cli/maint.ts), run in this process through the command
// runner against a recording server on 127.0.0.1: the request each action
// sends (method, path, query, token, from --token-file or
// VITALS_CONTROL_TOKEN), the URL it picks (--url, VITALS_URL, VITALS_PORT),
// its one line on success and its messages and exit codes on a refusal, a
// 404, an unexpected answer, a closed port and usage errors. Against a
// served vitals in its own process: tests/e2e/maint.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { groupsOf, stateLine } from "../../src/cli/maint.ts";
import { type CliRun, runCliHere } from "../_helpers/cli.ts";
import { tempFile } from "../_helpers/files.ts";
import { platform } from "../_helpers/platform.ts";
import { closedPort, json, startServer } from "../_helpers/servers.ts";

const ON = {
  on: true,
  reason: "db migration",
  since: "2026-05-04T10:00:00.000Z",
  groups: ["ready"],
};

/** Runs `vitals maint <args>` in this process with `env` as its whole environment. */
function maint(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCliHere(["maint", ...args], { ...platform, env: () => ({ ...env }) });
}

/** A server answering every request with `answer`, recording what was asked. */
async function recording(answer: () => Response) {
  const seen: { method: string; path: string; query: URLSearchParams; auth: string | null }[] = [];
  const server = await startServer((request) => {
    const url = new URL(request.url);
    seen.push({
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      auth: request.headers.get("authorization"),
    });
    return answer();
  });
  return { ...server, seen };
}

test("maint on POSTs the reason and groups with the token from VITALS_CONTROL_TOKEN and prints the state", async () => {
  const server = await recording(() => json(ON));
  try {
    const result = await maint(
      ["on", "--reason", "db migration", "--group", "ready", "--group=live"],
      { VITALS_PORT: String(server.port), VITALS_CONTROL_TOKEN: "t0ken" },
    );
    assert.deepEqual(result, {
      code: 0,
      stdout: "maintenance on (ready) since 2026-05-04T10:00:00.000Z: db migration",
      stderr: "",
    });
    const [asked] = server.seen;
    assert.equal(asked?.method, "POST");
    assert.equal(asked?.path, "/maintenance");
    assert.equal(asked?.query.get("reason"), "db migration");
    assert.deepEqual(asked?.query.getAll("group"), ["live", "ready"]);
    assert.equal(asked?.auth, "Bearer t0ken");
  } finally {
    await server.close();
  }
});

test("maint off DELETEs and maint status GETs, at --url, with the token from --token-file", async () => {
  const server = await recording(() => json({ on: false }));
  const { path } = await tempFile("control-token", "fr0m-file\n");
  try {
    const env = { VITALS_URL: "http://127.0.0.1:1", VITALS_CONTROL_TOKEN: "from-env" };
    const off = await maint(["off", "--url", `${server.url}/`, "--token-file", path], env);
    assert.deepEqual(off, { code: 0, stdout: "maintenance off", stderr: "" });
    const status = await maint(["status"], { VITALS_URL: server.url });
    assert.deepEqual(status, { code: 0, stdout: "maintenance off", stderr: "" });
    assert.deepEqual(server.seen.map(({ method, path, auth }) => [method, path, auth]), [
      ["DELETE", "/maintenance", "Bearer fr0m-file"],
      ["GET", "/maintenance", null],
    ]);
  } finally {
    await server.close();
  }
});

test("a 401 says the token is missing or wrong, a 404 that the switch is off, others quote the answer; each exits 1", async () => {
  const answers: [Response, string][] = [
    [
      json({ error: "unauthorized" }, 401),
      "vitals maint: refused: the control token is missing or wrong",
    ],
    [
      json({ error: "no route" }, 404),
      "vitals maint: the maintenance switch is off: set server.controlToken",
    ],
    [json({ error: "a reason is required" }, 400), "answered 400 a reason is required"],
    [new Response("<h1>Bad gateway</h1>", { status: 502 }), "answered 502 <h1>Bad gateway</h1>"],
    [json({ status: "UP" }), 'answered 200 {"status":"UP"}'],
  ];
  for (const [response, message] of answers) {
    const server = await recording(() => response);
    try {
      const result = await maint(["status", "--url", server.url]);
      assert.equal(result.code, 1, message);
      assert.equal(result.stdout, "");
      assert.ok(result.stderr.includes(message), `${result.stderr} has ${message}`);
    } finally {
      await server.close();
    }
  }
});

test("a closed port exits 1 saying it cannot connect", async () => {
  const port = await closedPort();
  const result = await maint(["off"], { VITALS_PORT: String(port) });
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    `vitals maint: http://127.0.0.1:${port}/maintenance cannot connect: connection refused`,
  );
});

test("usage errors exit 2 before anything is sent", async () => {
  const server = await recording(() => json(ON));
  const env = { VITALS_PORT: String(server.port) };
  const { path: empty } = await tempFile("empty-token", "\n");
  const { path: twoLines } = await tempFile("two-tokens", "one\ntwo\n");
  try {
    const cases: [string[], RegExp][] = [
      [[], /Expected on, off or status after "maint", got nothing/],
      [["pause"], /Expected on, off or status after "maint", got "pause"/],
      [["on"], /Missing --reason for "maint on": say why vitals is held DOWN/],
      [["on", "--reason", ""], /expected some text, got none/],
      [["on", "--reason", "x".repeat(201)], /expected at most 200 characters, got 201/],
      [["on", "--reason", "a\u001bb"], /control characters are not accepted/],
      [["on", "--reason", "x", "--group", "readiness"], /Unknown group "readiness"/],
      [["off", "--reason", "x"], /Invalid --reason or --group after "off"/],
      [["status", "--group", "live"], /Invalid --reason or --group after "status"/],
      [
        ["off", "--url", "ftp://x"],
        /Invalid --url "ftp:\/\/x": expected an http:\/\/ or https:\/\//,
      ],
      [
        ["off", "--token-file", "/nonexistent/token"],
        /Cannot read --token-file "\/nonexistent\/token"/,
      ],
      [["off", "--token-file", empty], /it is empty/],
      [["off", "--token-file", twoLines], /expected one token without spaces, on one line/],
      [["off", "--token", "x"], /token/],
      [
        ["off", "--cacert", "/nonexistent/ca.pem", "--url", "https://127.0.0.1:1"],
        /Cannot read --cacert "\/nonexistent\/ca.pem": file does not exist/,
      ],
      [
        ["off", "--cert", "c.pem"],
        /Cannot use --cert with "http:\/\/127\.0\.0\.1:\d+\/maintenance": TLS files need an https:\/\/ URL/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await maint(args, env);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, message, args.join(" "));
      assert.match(result.stderr, /Run "vitals maint --help" for usage/, args.join(" "));
    }
    const badPort = await maint(["off"], { VITALS_PORT: "http" });
    assert.match(badPort.stderr, /Invalid VITALS_PORT "http"/);
    const badEnvUrl = await maint(["off"], { VITALS_URL: "127.0.0.1:8080" });
    assert.match(badEnvUrl.stderr, /Invalid VITALS_URL "127.0.0.1:8080"/);
    const badTls = await maint(["off"], { VITALS_TLS: "on" });
    assert.match(badTls.stderr, /Invalid VITALS_TLS "on": expected 1 or true/);
    assert.deepEqual(server.seen, []);
  } finally {
    await server.close();
  }
});

test("every --group is read, in order, commas splitting a value; other options' values are skipped", () => {
  assert.deepEqual(groupsOf([]), []);
  assert.deepEqual(
    groupsOf(["--group", "live", "--reason", "--group", "--group=ready,started"]),
    ["live", "ready", "started"],
  );
});

test("the state line escapes control characters in a reason a server sent", () => {
  assert.equal(
    stateLine({ on: true, reason: "a\nb", since: "t", groups: ["live", "ready"] }),
    "maintenance on (live, ready) since t: a\\nb",
  );
  assert.equal(stateLine({ on: false }), "maintenance off");
});
