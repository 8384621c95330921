/**
 * vitals' name (`server.name`) where people read it, through the handler of a
 * real app: the status page's title and header (HTML-escaped), the `name` of
 * `/health/history` (with and without the details token), the first line of
 * the text body (control characters escaped), a reload that changes it, and
 * every probe body the same bytes with a name as without one.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { type App, createApp } from "../../src/app/create_app.ts";
import { parseConfig } from "../../src/config/load.ts";
import { silentLogger } from "../../src/log.ts";
import { appOf } from "../_helpers/apps.ts";
import { ManualClock } from "../_helpers/clock.ts";
import { getText } from "../_helpers/http.ts";
import { platform } from "../_helpers/platform.ts";

/** What Chrome and Firefox send for a page. */
const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";
const CHECKS = `cache: {ttl: 30s}
checks:
  - {name: ok, type: command, command: ["true"], groups: [live, ready, started]}
  - {name: spare, type: command, command: ["false"], critical: false}
`;

/** A config with `server:` holding `name` (a YAML scalar as written), or no name when undefined. */
function withName(name: string | undefined, server = ""): string {
  const key = name === undefined ? "" : `  name: ${name}\n`;
  return key || server ? `server:\n${key}${server}${CHECKS}` : CHECKS;
}

async function using<T>(app: App, body: (app: App) => Promise<T>): Promise<T> {
  try {
    return await body(app);
  } finally {
    app.health.close();
  }
}

test("the page's title and header carry server.name, on / and on /health", async () => {
  await using(appOf(withName("checkout-eu-1")), async (app) => {
    for (const path of ["/", "/health"]) {
      const page = await getText(app, path, { accept: BROWSER });
      assert.equal(page.status, 200, path);
      assert.match(page.body, /<title>checkout-eu-1 \u00b7 vitals<\/title>/, path);
      assert.match(page.body, /<h1><span id="name">checkout-eu-1<\/span> <span id="overall"/, path);
    }
  });
});

test("a name with HTML in it is escaped in the title and the header, and the CSP still holds", async () => {
  const name = `<b>&"'</b>`;
  await using(appOf(withName(`'<b>&"''</b>'`)), async (app) => {
    const page = await getText(app, "/", { accept: BROWSER });
    const escaped = "&#60;b&#62;&#38;&#34;&#39;&#60;/b&#62;";
    assert.ok(page.body.includes(`<title>${escaped} \u00b7 vitals</title>`), page.body);
    assert.ok(page.body.includes(`<span id="name">${escaped}</span>`));
    assert.ok(!page.body.includes("<b>"), "no raw tag from the name");
    assert.ok(!page.body.includes(name));
    // The name reaches the script only through /health/history's JSON, as text.
    const history = JSON.parse((await getText(app, "/health/history")).body);
    assert.equal(history.name, name);
    // The inline script and style are unchanged, so their hashes in the CSP still match.
    const plain = await using(appOf(withName(undefined)), async (other) => {
      return await getText(other, "/", { accept: BROWSER });
    });
    assert.equal(
      page.headers.get("content-security-policy"),
      plain.headers.get("content-security-policy"),
    );
  });
});

test("/health/history starts with the name, also when the details token hides the rest", async () => {
  await using(appOf(withName("checkout-eu-1", "  detailsToken: s3cret\n")), async (app) => {
    const open = JSON.parse(
      (await getText(app, "/health/history", { authorization: "Bearer s3cret" })).body,
    );
    assert.equal(Object.keys(open)[0], "name");
    assert.equal(open.name, "checkout-eu-1");
    assert.equal(open.checks.length, 2);
    const hidden = JSON.parse((await getText(app, "/health/history")).body);
    assert.deepEqual(Object.keys(hidden), [
      "name",
      "status",
      "timestamp",
      "now",
      "refreshMs",
      "groups",
      "restricted",
    ]);
    assert.equal(hidden.name, "checkout-eu-1");
  });
});

test("the text body's first line is the name; the table follows as before", async () => {
  await using(appOf(withName("checkout-eu-1")), async (app) => {
    const text = await getText(app, "/health?format=text");
    const lines = text.body.split("\n");
    assert.equal(lines[0], "name: checkout-eu-1");
    assert.match(lines[1]!, /^STATUS {2}CHECK/);
    assert.match(lines[2]!, /^UP {6}ok /);
    const asked = await getText(app, "/health/ready", { accept: "text/plain" });
    assert.equal(asked.body.split("\n")[0], "name: checkout-eu-1");
  });
});

test("a name with a line break and ESC stays on the text body's first line, escaped", async () => {
  await using(appOf(withName(`"web\\nSTATUS forged\\e[31m"`)), async (app) => {
    const lines = (await getText(app, "/health?format=text")).body.split("\n");
    assert.equal(lines[0], "name: web\\nSTATUS forged\\u001b[31m");
    assert.match(lines[1]!, /^STATUS {2}CHECK/);
  });
});

test("a reload that changes server.name applies to the page, the history and the text body", async () => {
  await using(appOf(withName("before")), async (app) => {
    await getText(app, "/health?format=text"); // prepared with the old name
    assert.equal(JSON.parse((await getText(app, "/health/history")).body).name, "before");
    await app.reload(parseConfig(withName("after"), "t.yaml", {}));
    const text = await getText(app, "/health?format=text");
    assert.equal(text.body.split("\n")[0], "name: after");
    assert.equal(JSON.parse((await getText(app, "/health/history")).body).name, "after");
    const page = await getText(app, "/", { accept: BROWSER });
    assert.match(page.body, /<title>after \u00b7 vitals<\/title>/);
  });
});

/** Every probe body: JSON, health+json, MicroProfile, the one-field bodies, each group. */
const PROBES: [string, Record<string, string>][] = [
  ["/health", {}],
  ["/health", { accept: BROWSER.replace("text/html,", "") }],
  ["/health?format=json", {}],
  ["/health", { accept: "application/health+json" }],
  ["/health?format=health+json", {}],
  ["/health?format=microprofile", {}],
  ["/health/simple", {}],
  ["/health?simple", {}],
  ["/health/live", {}],
  ["/health/ready", {}],
  ["/health/started", {}],
  ["/health/ready/simple", {}],
  ["/health/live?format=microprofile", {}],
  ["/health/ready", { accept: "application/health+json" }],
];

test("every probe body is the same bytes, with the same headers, with a name as without one", async () => {
  // One manual clock each: the same timestamps and durations, so the bodies can be compared whole.
  const build = (yaml: string) =>
    createApp(parseConfig(yaml, "t.yaml", {}), {
      platform,
      log: silentLogger,
      clock: new ManualClock(),
    });
  const answers = async (app: App) => {
    const out: string[] = [];
    for (const [path, headers] of PROBES) {
      for (const method of ["GET", "HEAD"]) {
        const answer = await getText(app, path, headers, method);
        out.push(`${method} ${path} ${answer.status} ${[...answer.headers]} ${answer.body}`);
      }
    }
    return out;
  };
  const plain = await using(build(withName(undefined)), answers);
  const named = await using(build(withName(`'<b>&"checkout'`)), answers);
  assert.equal(plain.length, PROBES.length * 2);
  assert.deepEqual(named, plain);
  assert.ok(!named.join("\n").includes("checkout"), "the name is in no probe body");
  // The comparison sees a difference where there is one: the text body carries the name.
  const text = await using(
    build(withName("checkout")),
    (app) => getText(app, "/health?format=text"),
  );
  assert.ok(text.body.startsWith("name: checkout\n"));
});
