/**
 * Masking (src/mask.ts): secrets (`apiKey`, `headers` and `env` values, URL
 * credentials) never reach a check's message, a response body in any format,
 * `/metrics` or a log line, not even in part, when the target echoes them or
 * the output limit cuts them. At the end, `hideUrlCredentials` and
 * `maskCutStart` on their own.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger } from "../src/log.ts";
import { hideUrlCredentials, MASK, maskCutStart } from "../src/mask.ts";
import { appOf } from "./_helpers/apps.ts";
import { runCheck } from "./_helpers/checks.ts";
import { getText } from "./_helpers/http.ts";
import { closedPort, startServer } from "./_helpers/servers.ts";

/**
 * The longest piece (at least `min` characters) of `secret` that `text`
 * contains, or `undefined`. Catches a secret that was cut or escaped as well as
 * a whole one.
 */
function leakedPiece(text: string, secret: string, min = 6): string | undefined {
  for (let length = secret.length; length >= min; length--) {
    for (let start = 0; start + length <= secret.length; start++) {
      const piece = secret.slice(start, start + length);
      if (text.includes(piece)) return piece;
    }
  }
  return undefined;
}

function assertNoSecret(text: string, secret: string, where: string): void {
  const piece = leakedPiece(text, secret);
  if (piece === undefined) return;
  const at = text.indexOf(piece);
  const context = text.slice(Math.max(0, at - 120), at + piece.length + 40);
  assert.fail(`${where} shows ${JSON.stringify(piece)} of a secret: ...${context}...`);
}

const COMMAND_SECRET = "hunter2-very-secret";

test("a command check's env secret is masked in every body format, /metrics and JSON log lines", async () => {
  const lines: string[] = [];
  const log = createLogger({ level: "debug", format: "json", write: (line) => lines.push(line) });
  const app = appOf(
    `checks:
  - name: leaky
    type: command
    command: ["sh", "-c", "echo $SECRET_VALUE; echo \\"again: $SECRET_VALUE\\" >&2; exit 1"]
    env: { SECRET_VALUE: ${COMMAND_SECRET} }
    timeout: 5s
`,
    log,
  );
  const shapes: { path: string; headers?: Record<string, string> }[] = [
    { path: "/health" },
    { path: "/health?format=text" },
    { path: "/health?format=microprofile" },
    { path: "/health", headers: { accept: "application/health+json" } },
    { path: "/health/ready" },
    { path: "/health/ready?format=text" },
  ];
  for (const { path, headers } of shapes) {
    const response = await getText(app, path, headers);
    assert.equal(response.status, 503, path);
    assert.ok(response.body.includes(MASK), `${path} shows the mask:\n${response.body}`);
    assertNoSecret(response.body, COMMAND_SECRET, path);
  }
  const json = JSON.parse((await getText(app, "/health")).body);
  assert.equal(json.checks[0].message, `exit code 1: ${MASK}\nagain: ${MASK}`);

  const metrics = await getText(app, "/metrics");
  assert.equal(metrics.status, 200);
  assert.match(
    metrics.body,
    /^vitals_check_up\{check="leaky",type="command",critical="true"\} 0$/m,
  );
  assertNoSecret(metrics.body, COMMAND_SECRET, "/metrics");

  assert.ok(lines.length > 0, "something was logged");
  const down = lines.map((line) => JSON.parse(line) as { msg: string; level: string })
    .filter((line) => line.msg.startsWith("check leaky DOWN"));
  assert.equal(down.length, 1, lines.join("\n"));
  assert.equal(down[0]?.level, "warn");
  assert.ok(down[0]?.msg.includes(MASK));
  for (const line of lines) assertNoSecret(line, COMMAND_SECRET, "log line");
});

test("a secret cut by the output limit is not shown in part", async () => {
  const app = appOf(`checks:
  - name: cut
    type: command
    command: ["sh", "-c", "printf %s \\"$SECRET_VALUE\\"; head -c 4080 /dev/zero | tr '\\\\0' x; exit 1"]
    env: { SECRET_VALUE: ${COMMAND_SECRET} }
    timeout: 5s
`);
  const response = await getText(app, "/health");
  assert.match(response.body, /last 4096 of 4099 bytes/);
  assertNoSecret(response.body, COMMAND_SECRET, "/health");
});

const HEADER_TOKEN = "tok-abcdef123";

test("an http check's header secret is masked even when the server echoes it back", async () => {
  const seen: (string | null)[] = [];
  const server = await startServer((request) => {
    const authorization = request.headers.get("authorization");
    seen.push(authorization);
    const path = new URL(request.url).pathname;
    const echo = `you sent ${authorization} and ${request.headers.get("x-extra")}`;
    if (path === "/redirect") {
      return new Response(null, {
        status: 302,
        headers: { location: `/login?auth=${authorization?.split(" ")[1]}` },
      });
    }
    return new Response(echo, { status: path === "/ok" ? 200 : 500 });
  });
  try {
    const check = (name: string, path: string) =>
      `  - name: ${name}
    type: http
    url: ${server.url}${path}
    headers: { Authorization: "Bearer ${HEADER_TOKEN}", X-Extra: extra-secret-42 }
    expectStatus: [200]
    bodyContains: all is well
    timeout: 5s
`;
    const app = appOf(
      `checks:\n${check("error", "/error")}${check("ok", "/ok")}${check("redirect", "/redirect")}`,
    );
    const response = await getText(app, "/health");
    assert.equal(response.status, 503);
    assert.deepEqual(seen, Array(3).fill(`Bearer ${HEADER_TOKEN}`), "the header was sent");
    const messages = Object.fromEntries(
      (JSON.parse(response.body).checks as { name: string; message: string }[])
        .map((check) => [check.name, check.message]),
    );
    assert.equal(messages.error, "HTTP 500 (expected 200)");
    assert.match(messages.ok ?? "", /^HTTP 200, but the body does not contain "all is well"/);
    assert.equal(
      messages.redirect,
      `HTTP 302, redirect to /login?auth=${MASK} not followed (expected 200)`,
    );
    for (const format of ["", "?format=text", "?format=microprofile"]) {
      const body = (await getText(app, `/health${format}`)).body;
      assertNoSecret(body, HEADER_TOKEN, `/health${format}`);
      assertNoSecret(body, "extra-secret-42", `/health${format}`);
    }
  } finally {
    await server.close();
  }
});

const API_KEY = "key-123456789";

/** A TabbyAPI stand-in that is careless with the key it was sent. */
async function leakyTabby() {
  return await startServer((request) => {
    const key = request.headers.get("x-api-key") ?? "none";
    const path = new URL(request.url).pathname;
    const json = (body: unknown, status: number) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json" },
      });
    switch (path) {
      case "/health":
        return json({ status: "healthy", issues: [] }, 200);
      case "/v1/model":
        return json({ detail: `Invalid API key ${key}` }, 401);
      case "/issues":
        return json({
          status: "unhealthy",
          issues: [{ time: "2026-11-21T11:24:41Z", description: `auth with ${key} failed` }],
        }, 503);
      default:
        // Not JSON at all: the check quotes the start of the body.
        return new Response(`bad key ${key}`, { status: 503 });
    }
  });
}

test("a tabbyapi check's apiKey is masked even when the server echoes it in a 401, an issue or plain text", async () => {
  const server = await leakyTabby();
  try {
    const app = appOf(`checks:
  - name: model
    type: tabbyapi
    url: ${server.url}
    apiKey: ${API_KEY}
    requireModel: true
    timeout: 5s
  - name: issues
    type: tabbyapi
    url: ${server.url}
    path: /issues
    apiKey: ${API_KEY}
    timeout: 5s
  - name: text
    type: tabbyapi
    url: ${server.url}
    path: /text
    apiKey: ${API_KEY}
    timeout: 5s
`);
    const response = await getText(app, "/health");
    assert.equal(response.status, 503);
    const messages = Object.fromEntries(
      (JSON.parse(response.body).checks as { name: string; message: string }[])
        .map((check) => [check.name, check.message]),
    );
    assert.equal(messages.model, "API key rejected by /v1/model");
    assert.equal(
      messages.issues,
      `unhealthy (HTTP 503): 1 issue: [2026-11-21T11:24:41Z] auth with ${MASK} failed`,
    );
    assert.match(messages.text ?? "", /is not TabbyAPI JSON .*: "bad key \*\*\*"$/);
    for (const format of ["", "?format=text", "?format=microprofile", "?format=health%2Bjson"]) {
      assertNoSecret((await getText(app, `/health${format}`)).body, API_KEY, `/health${format}`);
    }
  } finally {
    await server.close();
  }
});

test("a tabbyapi apiKey is not shown in part when the quoted body is cut or escaped", async () => {
  const quoteKey = 'pa"ss-987654';
  const server = await startServer((request) => {
    const key = request.headers.get("x-api-key") ?? "";
    const cut = new URL(request.url).pathname === "/cut";
    return new Response(cut ? `${".".repeat(70)}${key}` : `bad key ${key}`, { status: 503 });
  });
  try {
    const app = appOf(`checks:
  - name: cut
    type: tabbyapi
    url: ${server.url}
    path: /cut
    apiKey: ${API_KEY}
  - name: escaped
    type: tabbyapi
    url: ${server.url}
    path: /escaped
    apiKey: '${quoteKey}'
`);
    const body = (await getText(app, "/health")).body;
    assertNoSecret(body, API_KEY, "/health");
    assertNoSecret(body, quoteKey, "/health");
  } finally {
    await server.close();
  }
});

test("credentials in a check URL never reach the message, whether the server answers or not", async () => {
  const port = await closedPort();
  const server = await startServer(() => new Response("no", { status: 500 }));
  try {
    const app = appOf(`checks:
  - name: refused
    type: http
    url: http://user:pa55word@127.0.0.1:${port}/
    timeout: 5s
  - name: answered
    type: http
    url: http://user:pa55word@127.0.0.1:${server.port}/ready
    timeout: 5s
  - name: tabby-refused
    type: tabbyapi
    url: http://user:pa55word@127.0.0.1:${port}
    timeout: 5s
  - name: tabby-answered
    type: tabbyapi
    url: http://user:pa55word@127.0.0.1:${server.port}
    timeout: 5s
`);
    const response = await getText(app, "/health");
    assert.equal(response.status, 503);
    const checks = JSON.parse(response.body).checks as { name: string; message: string }[];
    assert.equal(checks.length, 4);
    for (const check of checks) {
      assert.ok(check.message.length > 0, check.name);
      assertNoSecret(check.message, "pa55word", check.name);
    }
    const refused = checks.find((check) => check.name === "refused")?.message ?? "";
    assert.match(refused, new RegExp(`^GET http://\\*\\*\\*@127\\.0\\.0\\.1:${port}/ failed: `));
    for (const format of ["?format=text", "?format=microprofile", "?format=health%2Bjson"]) {
      assertNoSecret((await getText(app, `/health${format}`)).body, "pa55word", format);
    }
  } finally {
    await server.close();
  }
});

test("credentials in a check's URL never appear in its message", async () => {
  const port = await closedPort();
  const web = await runCheck({
    name: "web",
    type: "http",
    url: `http://admin:s3cret@127.0.0.1:${port}/ready`,
    method: "GET",
  });
  assert.equal(web.status, "DOWN");
  assert.equal(web.message, `GET http://***@127.0.0.1:${port}/ready failed: connection refused`);
  const llm = await runCheck({
    name: "llm",
    type: "tabbyapi",
    url: `http://admin:s3cret@127.0.0.1:${port}`,
    path: "/health",
    requireModel: false,
  });
  assert.equal(llm.status, "DOWN");
  assert.doesNotMatch(llm.message, /s3cret|admin/);
  assert.match(llm.message, /http:\/\/\*\*\*@127\.0\.0\.1/);
});

// ---------------------------------------------------------------------------
// hideUrlCredentials and maskCutStart on their own

test("hideUrlCredentials hides a password that itself contains an @", () => {
  assert.equal(
    hideUrlCredentials("GET http://admin:p@ss@w0rd@10.0.0.5:8080/ready failed"),
    "GET http://***@10.0.0.5:8080/ready failed",
  );
});

test("hideUrlCredentials hides the credentials of every URL in a text", () => {
  assert.equal(
    hideUrlCredentials(
      "tried http://a:one@h1/x, then https://b:two@h2:8443/y?z=1 and http://c:three@h3",
    ),
    "tried http://***@h1/x, then https://***@h2:8443/y?z=1 and http://***@h3",
  );
});

test("hideUrlCredentials leaves an @ in a path, query or fragment alone", () => {
  for (
    const text of [
      "http://host/login?email=ops@example.com",
      "http://host?to=ops@example.com",
      "http://host/users/@me",
      "http://host/#ops@example.com",
      "mail ops@example.com about http://host/",
    ]
  ) {
    assert.equal(hideUrlCredentials(text), text);
  }
});

test("maskCutStart masks a secret's tail down to its last character", () => {
  const secret = "s3cr3t-token";
  for (let length = 1; length < secret.length; length++) {
    const tail = secret.slice(-length);
    assert.equal(maskCutStart(`${tail} then more`, [secret]), `${MASK} then more`, tail);
  }
});

test("maskCutStart leaves text alone that starts with no tail of a secret", () => {
  assert.equal(maskCutStart("then more", ["s3cr3t-token"]), "then more");
  // The secret's start is not its tail: only the end of a cut secret can open kept output.
  assert.equal(maskCutStart("s3cr then", ["s3cr3t-token"]), "s3cr then");
  assert.equal(maskCutStart("", ["s3cr3t-token"]), "");
});

test("maskCutStart masks the longest tail that opens the text", () => {
  // "bab rest" opens with "b" and with "bab", both tails of "abab": all of "bab" goes.
  assert.equal(maskCutStart("bab rest", ["abab"]), `${MASK} rest`);
});
