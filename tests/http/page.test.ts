/**
 * The status page (src/http/page.ts) and its JSON, `/health/history`
 * (src/http/_page_history.ts), through the handler: content negotiation
 * (HTML only when a browser asks, probes untouched), the Content-Security-
 * Policy and its hashes, the size limit, the JSON's shape, and hiding
 * everything but statuses without the details token.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { prefersHtml } from "../../src/http/page.ts";
import { RESULT_CAPACITY } from "../../src/engine/history.ts";
import { appOf } from "../_helpers/apps.ts";
import { getText } from "../_helpers/http.ts";
import { closedPort } from "../_helpers/servers.ts";

/** What Chrome and Firefox send for a page. */
const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";
const TOKEN = "page-s3cret";
const SECRET_HEADER = "Bearer hunter2-header-secret";
const SECRET_ENV = "hunter2-env-secret";

/** Two critical checks (one UP, one DOWN unless `downIsCritical` is false) and secrets in config. */
async function pageConfig(server = "", downIsCritical = false): Promise<string> {
  return `${server}cache: {ttl: 30s}
checks:
  - name: fine
    type: command
    command: ["sh", "-c", "echo fine"]
    env: {TOKEN: ${SECRET_ENV}}
    groups: [live, ready]
  - name: web
    type: http
    url: http://127.0.0.1:${await closedPort()}/status
    headers: {Authorization: "${SECRET_HEADER}"}
    critical: ${downIsCritical}
`;
}

test("prefersHtml: text/html must be the most preferred type, ties going to the earlier one", () => {
  const cases: [string | null, string, boolean][] = [
    [BROWSER, "", true],
    ["text/html", "", true],
    ["TEXT/HTML; charset=utf-8", "", true],
    ["text/html, application/json", "", true],
    ["application/json, text/html", "", false],
    ["application/json;q=0.5, text/html;q=0.9", "", true],
    ["text/html;q=0.5, application/json", "", false],
    ["*/*", "", false],
    ["*/*, text/html", "", false],
    [null, "", false],
    ["", "", false],
    ["application/health+json", "", false],
    ["text/plain", "", false],
    ["text/html", "format=json", false],
    ["text/html;q=0", "", false],
  ];
  for (const [accept, query, expected] of cases) {
    assert.equal(prefersHtml(accept, query), expected, `${accept} ?${query}`);
  }
});

test("GET / and GET /health answer the HTML page to a browser and JSON (or 404) to everyone else", async () => {
  const app = appOf(await pageConfig());
  try {
    for (const path of ["/", "/health", "/health/"]) {
      const page = await getText(app, path, { accept: BROWSER });
      assert.equal(page.status, 200, path);
      assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8", path);
      assert.equal(page.headers.get("cache-control"), "no-store", path);
      assert.ok(page.body.startsWith("<!doctype html>"), path);
    }
    for (const accept of [undefined, "*/*", "application/json", "application/json, text/html"]) {
      const headers: Record<string, string> = accept ? { accept } : {};
      const root = await getText(app, "/", headers);
      assert.equal(root.status, 404, `/ with ${accept}`);
      assert.equal(root.headers.get("content-type"), "application/json");
      const health = await getText(app, "/health", headers);
      assert.equal(health.headers.get("content-type"), "application/json", `${accept}`);
      assert.equal(JSON.parse(health.body).checks.length, 2);
    }
    // ?format= wins over Accept, as before.
    const text = await getText(app, "/health?format=text", { accept: BROWSER });
    assert.match(text.headers.get("content-type") ?? "", /^text\/plain/);
  } finally {
    app.health.close();
  }
});

test("the probe routes answer the same bytes and headers to a browser's Accept as before", async () => {
  const app = appOf(await pageConfig());
  try {
    await app.health.start();
    const paths = [
      "/health/simple",
      "/health/ready/simple",
      "/health/live/simple",
      "/health/started/simple",
      "/health/ready",
      "/health/live?simple",
      "/health?simple",
    ];
    for (const path of paths) {
      const plain = await getText(app, path);
      for (const accept of [BROWSER, "text/html", "*/*"]) {
        const asked = await getText(app, path, { accept });
        assert.equal(asked.status, plain.status, `${path} ${accept}`);
        assert.equal(asked.body, plain.body, `${path} ${accept}`);
        assert.deepEqual([...asked.headers], [...plain.headers], `${path} ${accept}`);
      }
    }
  } finally {
    app.health.close();
  }
});

test("GET /health with text/html keeps the status code: 503 when DOWN", async () => {
  const app = appOf(await pageConfig("", true));
  try {
    const page = await getText(app, "/health", { accept: BROWSER });
    assert.equal(page.status, 503);
    assert.ok(page.body.startsWith("<!doctype html>"));
    // `/` is the page itself, not a probe: always 200.
    assert.equal((await getText(app, "/", { accept: BROWSER })).status, 200);
  } finally {
    app.health.close();
  }
});

/** SHA-256 of `text`, base64, as CSP hash sources spell it. */
async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

test("the page has a strict Content-Security-Policy whose hashes are its inline script and style", async () => {
  const app = appOf(await pageConfig());
  try {
    const page = await getText(app, "/", { accept: BROWSER });
    const csp = page.headers.get("content-security-policy") ?? "";
    const directives = new Map(
      csp.split(/;\s*/).map((part) => {
        const [name = "", ...values] = part.split(" ");
        return [name, values.join(" ")];
      }),
    );
    assert.equal(directives.get("default-src"), "'none'");
    assert.equal(directives.get("connect-src"), "'self'");
    assert.equal(directives.get("img-src"), "'none'");
    assert.equal(directives.get("base-uri"), "'none'");
    assert.equal(directives.get("form-action"), "'none'");
    assert.equal(directives.get("frame-ancestors"), "'none'");
    const scripts = [...page.body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    const styles = [...page.body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    assert.equal(scripts.length, 1);
    assert.equal(styles.length, 1);
    assert.equal(directives.get("script-src"), `'sha256-${await sha256(scripts[0]!)}'`);
    assert.equal(directives.get("style-src"), `'sha256-${await sha256(styles[0]!)}'`);
    assert.equal(page.headers.get("x-content-type-options"), "nosniff");
    assert.equal(page.headers.get("referrer-policy"), "no-referrer");
    // Self-contained: nothing loaded from anywhere, no inline handlers or style attributes.
    assert.doesNotMatch(page.body, /\b(src|href)=|https?:\/\/|\bon[a-z]+=|\bstyle=/);
  } finally {
    app.health.close();
  }
});

test("the page is under 30 KB, and HEAD / gives its headers and length without a body", async () => {
  const app = appOf(await pageConfig());
  try {
    const page = await getText(app, "/", { accept: BROWSER });
    const bytes = new TextEncoder().encode(page.body).length;
    console.log(`status page: ${bytes} bytes`);
    assert.ok(bytes < 30 * 1024, `${bytes} bytes`);
    const head = await getText(app, "/", { accept: BROWSER }, "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
    assert.equal(head.headers.get("content-length"), String(bytes));
    assert.equal(
      head.headers.get("content-security-policy"),
      page.headers.get("content-security-policy"),
    );
  } finally {
    app.health.close();
  }
});

interface HistoryBody {
  name: string;
  status: string;
  timestamp: string;
  now: string;
  refreshMs: number;
  groups: Record<string, string>;
  details?: string[];
  restricted?: true;
  checks?: {
    name: string;
    status: string;
    results: { status: string; durationMs: number; at: string }[];
    changes: { from: string | null; to: string; at: string }[];
    [key: string]: unknown;
  }[];
}

test("/health/history: statuses, groups and every check with its settings, counters and history", async () => {
  const app = appOf(await pageConfig());
  try {
    const first = await getText(app, "/health/history");
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("content-type"), "application/json");
    assert.equal(first.headers.get("cache-control"), "no-store");
    const body = JSON.parse(first.body) as HistoryBody;
    assert.deepEqual(Object.keys(body), [
      "name",
      "status",
      "timestamp",
      "now",
      "refreshMs",
      "groups",
      "details",
      "checks",
    ]);
    assert.equal(body.status, "UP");
    assert.deepEqual(body.groups, { live: "UP", ready: "UP", started: "UP" });
    assert.equal(body.refreshMs, 10_000, "the shortest interval (30 s), at most 10 s");
    assert.deepEqual(body.checks?.map((check) => check.name), ["fine", "web"]);
    const [fine, web] = body.checks!;
    assert.deepEqual(Object.keys(fine!), [
      "name",
      "type",
      "critical",
      "groups",
      "status",
      "lastOutcome",
      "message",
      "durationMs",
      "checkedAt",
      "consecutiveFailures",
      "consecutiveSuccesses",
      "failureThreshold",
      "successThreshold",
      "intervalMs",
      "timeoutMs",
      "runs",
      "lastChange",
      "results",
      "changes",
    ]);
    assert.equal(fine!.message, "exit 0");
    assert.deepEqual(fine!.groups, ["live", "ready"]);
    assert.deepEqual(fine!.runs, { UP: 1, WARN: 0, DOWN: 0 });
    assert.equal(web!.status, "DOWN");
    assert.equal(web!.results.length, 1);
    assert.equal(web!.results[0]!.status, "DOWN");
    assert.deepEqual(web!.changes.map(({ from, to }) => ({ from, to })), [{
      from: null,
      to: "DOWN",
    }]);
    assert.equal(web!.lastChange, web!.changes[0]!.at);
    assert.match(body.details?.[0] ?? "", /^web: /);

    // Every evaluation adds a result.
    await app.health.evaluate(true);
    await app.health.evaluate(true);
    const later = JSON.parse((await getText(app, "/health/history")).body) as HistoryBody;
    assert.equal(later.checks![1]!.results.length, 3);
    assert.ok(later.checks![1]!.results.length <= RESULT_CAPACITY);

    // No secret from the config, in any form.
    for (const text of [first.body, JSON.stringify(later)]) {
      assert.ok(!text.includes("hunter2"), text);
    }
  } finally {
    app.health.close();
  }
});

test("detailsToken: /health/history gives only statuses without the token; the page is the same for all", async () => {
  const app = appOf(await pageConfig(`server:\n  detailsToken: ${TOKEN}\n`));
  try {
    const open = await getText(app, "/health/history", { authorization: `Bearer ${TOKEN}` });
    assert.equal(JSON.parse(open.body).checks.length, 2);
    for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: TOKEN }]) {
      const hidden = await getText(app, "/health/history", headers);
      assert.equal(hidden.status, 200);
      const body = JSON.parse(hidden.body) as HistoryBody;
      assert.deepEqual(Object.keys(body), [
        "name",
        "status",
        "timestamp",
        "now",
        "refreshMs",
        "groups",
        "restricted",
      ]);
      assert.equal(body.restricted, true);
      for (const name of ["fine", "web", "exit 0", "127.0.0.1"]) {
        assert.ok(!hidden.body.includes(name), `${name} in ${hidden.body}`);
      }
    }
    const anonymous = await getText(app, "/", { accept: BROWSER });
    const authorized = await getText(app, "/", {
      accept: BROWSER,
      authorization: `Bearer ${TOKEN}`,
    });
    assert.equal(anonymous.body, authorized.body, "the page holds no details itself");
    assert.ok(!anonymous.body.includes(TOKEN));
  } finally {
    app.health.close();
  }
});

test("/health/history is listed in the 404 body and answers only GET and HEAD", async () => {
  const app = appOf(await pageConfig());
  try {
    const missing = JSON.parse((await getText(app, "/nope")).body) as { routes: string[] };
    assert.ok(missing.routes.includes("/health/history"));
    const post = await getText(app, "/health/history", {}, "POST");
    assert.equal(post.status, 405);
    const head = await getText(app, "/health/history", {}, "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
  } finally {
    app.health.close();
  }
});

test("one /health/history request runs each check at most once, even with ttl 0", async () => {
  const app = appOf(`cache: {ttl: 0s}
checks:
  - {name: a, type: command, command: ["true"], groups: [live]}
  - {name: b, type: command, command: ["true"], groups: [ready, started]}
`);
  try {
    for (let poll = 1; poll <= 3; poll++) {
      const body = JSON.parse((await getText(app, "/health/history")).body) as HistoryBody;
      assert.deepEqual(body.groups, { live: "UP", ready: "UP", started: "UP" });
      assert.equal(body.refreshMs, 1_000, "the shortest interval (0), at least 1 s");
      assert.deepEqual(body.checks!.map((check) => check.results.length), [poll, poll]);
    }
  } finally {
    app.health.close();
  }
});
