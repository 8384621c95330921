/**
 * The status page (src/http/page.ts) in a real browser: Debian's chromium,
 * driven by playwright-core, against vitals served in-process on 127.0.0.1
 * with checks the test flips. It shows its name (in the header and, after
 * the status, in the title) and every check, a check turned DOWN shows
 * DOWN within one refresh without a reload, the timeline grows, nothing is
 * logged to the console, no request leaves 127.0.0.1, axe-core finds no
 * violations, the page fits a phone, the details token unlocks details, and
 * a banner shows the maintenance switch while it is on.
 * Screenshots go to dist/test/ (docs/status-page.png is a copy of one).
 *
 * Skips, saying why, when /usr/bin/chromium is missing
 * (`apt-get install chromium`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { after, test } from "node:test";
import { createApp } from "../../src/app/create_app.ts";
import { parseConfig } from "../../src/config/load.ts";
import { silentLogger } from "../../src/log.ts";
import { ROOT, tempDir } from "../_helpers/files.ts";
import { platform } from "../_helpers/platform.ts";
import { closedPort } from "../_helpers/servers.ts";
import { eventually } from "../_helpers/waits.ts";

const CHROMIUM = "/usr/bin/chromium";
const SKIP = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium to run the browser tests`;
if (SKIP) console.log(`page_browser: skipped: ${SKIP}`);

const TOKEN = "browser-s3cret";
const OUT = `${ROOT}dist/test`;

/** vitals in-process with a flag-file check `gate`, an UP check and a DOWN non-critical tcp check. */
async function startVitals(server = "") {
  const dir = await tempDir();
  const flag = `${dir}/flag`;
  await writeFile(flag, "");
  const yaml = `${server}cache:
  ttl: 0
checks:
  - name: gate
    type: command
    command: ["sh", "-c", "test -e ${flag} || { echo 'flag file is gone'; exit 2; }"]
    groups: [live, ready]
    timeout: 5s
  - name: disk-writable
    type: command
    command: ["true"]
    groups: [ready, started]
  - name: cache
    type: tcp
    host: 127.0.0.1
    port: ${await closedPort()}
    timeout: 1s
    critical: false
`;
  const app = createApp(parseConfig(yaml, "page.yaml", {}), { platform, log: silentLogger });
  const running = await platform.serve({ hostname: "127.0.0.1", port: 0, handler: app.handler });
  return {
    url: `http://127.0.0.1:${running.port}/`,
    close: async () => {
      await running.shutdown(0);
      app.health.close();
      await rm(dir, { recursive: true, force: true });
    },
    drop: () => rm(flag, { force: true }),
  };
}

type Browser = import("playwright-core").Browser;
type Page = import("playwright-core").Page;

let shared: Promise<Browser> | undefined;

/** The one browser every test shares (launching one takes seconds), closed after them. */
function launch(): Promise<Browser> {
  shared ??= import("playwright-core").then(({ chromium }) =>
    chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] })
  );
  return shared;
}

after(async () => {
  await (await shared)?.close();
});

/** A new page that records console errors, page errors and every URL it requests. */
async function watchedPage(browser: Browser, viewport = { width: 1100, height: 760 }) {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      errors.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("request", (request) => requests.push(request.url()));
  return { page, errors, requests };
}

/** The status each check card shows, by name. */
function statuses(page: Page): Promise<Record<string, string>> {
  return page.$$eval("article[data-check]", (cards) =>
    Object.fromEntries(
      cards.map((card) => [card.getAttribute("data-check"), card.getAttribute("data-status")]),
    ));
}

/** How many results a check's timeline shows. */
async function timelineLength(page: Page, name: string): Promise<number> {
  const count = await page.getAttribute(`article[data-check="${name}"] .tl`, "data-count");
  return Number(count);
}

async function axeViolations(page: Page): Promise<unknown[]> {
  const source = await readFile(
    createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
    "utf8",
  );
  // Evaluated over the DevTools protocol, so the page's CSP does not apply to it.
  await page.evaluate(source);
  const result = await page.evaluate(() =>
    (globalThis as unknown as {
      axe: { run: () => Promise<{ violations: { id: string; help: string; nodes: unknown[] }[] }> };
    }).axe.run()
  );
  return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.length }));
}

test(
  "the status page shows its name and every check, follows a flip to DOWN without a reload, and stays on 127.0.0.1",
  {
    skip: SKIP,
    timeout: 60_000,
  },
  async () => {
    const vitals = await startVitals(`server:\n  name: "checkout <eu-1>"\n`);
    const browser = await launch();
    try {
      const { page, errors, requests } = await watchedPage(browser);
      await page.goto(vitals.url);
      await page.waitForSelector("article[data-check]");
      assert.deepEqual(await statuses(page), { gate: "UP", "disk-writable": "UP", cache: "DOWN" });
      assert.equal(await page.getAttribute("#overall", "data-status"), "UP");
      assert.equal(await page.innerText("#name"), "checkout <eu-1>");
      assert.equal(await page.title(), "UP \u00b7 checkout <eu-1> \u00b7 vitals");
      const text = await page.innerText("main");
      for (const shown of ["live", "ready", "started", "cache", "cannot connect", "tcp"]) {
        assert.ok(text.includes(shown), `the page shows "${shown}"`);
      }

      // The timeline grows as the page polls.
      const before = await timelineLength(page, "gate");
      // Polled from here: a string predicate in the page would be an eval, which the CSP forbids.
      assert.ok(
        await eventually(async () => (await timelineLength(page, "gate")) > before, 5_000),
        "the timeline grows",
      );

      // Flip the gate DOWN: within one refresh (1 s here), without a reload.
      let navigations = 0;
      page.on("framenavigated", () => navigations++);
      await vitals.drop();
      await page.waitForSelector('article[data-check="gate"][data-status="DOWN"]', {
        timeout: 3_000,
      });
      assert.equal(await page.getAttribute("#overall", "data-status"), "DOWN");
      assert.equal(await page.title(), "DOWN \u00b7 checkout <eu-1> \u00b7 vitals");
      assert.match(await page.innerText('article[data-check="gate"]'), /flag file is gone/);
      assert.equal(navigations, 0, "no reload");
      assert.ok((await timelineLength(page, "gate")) > before);

      await mkdir(OUT, { recursive: true });
      await page.screenshot({ path: `${OUT}/page.png` });

      assert.deepEqual(await axeViolations(page), []);
      assert.deepEqual(errors, []);
      const away = requests.filter((url) => new URL(url).hostname !== "127.0.0.1");
      assert.deepEqual(away, [], "every request stays on 127.0.0.1");
      assert.ok(requests.some((url) => url.endsWith("/health/history")));
    } finally {
      await Promise.all(browser.contexts().map((context) => context.close()));
      await vitals.close();
    }
  },
);

test("the status page fits a phone's width and passes axe-core there too", {
  skip: SKIP,
  timeout: 60_000,
}, async () => {
  const vitals = await startVitals();
  const browser = await launch();
  try {
    const { page, errors } = await watchedPage(browser, { width: 360, height: 740 });
    await page.goto(vitals.url);
    await page.waitForSelector("article[data-check]");
    const overflow = await page.evaluate(
      "document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    assert.equal(overflow, 0, "no sideways scrolling");
    await page.screenshot({ path: `${OUT}/page-phone.png`, fullPage: true });
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(errors, []);
  } finally {
    await Promise.all(browser.contexts().map((context) => context.close()));
    await vitals.close();
  }
});

test(
  "with a details token the page shows statuses only until the token is pasted, and never puts it in a URL",
  {
    skip: SKIP,
    timeout: 60_000,
  },
  async () => {
    const vitals = await startVitals(`server:\n  detailsToken: ${TOKEN}\n`);
    const browser = await launch();
    try {
      const { page, errors, requests } = await watchedPage(browser);
      const authorized: string[] = [];
      page.on("request", (request) => {
        const header = request.headers()["authorization"];
        if (header) authorized.push(header);
      });
      await page.goto(vitals.url);
      await page.waitForSelector("#token-form:not([hidden])");
      assert.equal(await page.getAttribute("#overall", "data-status"), "UP");
      assert.equal(await page.$$eval("article[data-check]", (cards) => cards.length), 0);
      assert.ok(!(await page.innerText("body")).includes("gate"));

      await page.fill("#token", "wrong");
      await page.click("#token-form button[type=submit]");
      await page.waitForSelector("#rejected:not([hidden])");

      await page.fill("#token", TOKEN);
      await page.click("#token-form button[type=submit]");
      await page.waitForSelector("article[data-check]");
      assert.deepEqual(Object.keys(await statuses(page)), ["gate", "disk-writable", "cache"]);
      assert.equal(await page.inputValue("#token"), "", "the field is cleared");
      assert.ok(authorized.includes(`Bearer ${TOKEN}`));
      assert.deepEqual(requests.filter((url) => url.includes(TOKEN)), [], "never in a URL");
      await page.screenshot({ path: `${OUT}/page-token.png` });

      await page.click("#forget");
      await page.waitForSelector("#token-form:not([hidden])");
      assert.equal(await page.$$eval("article[data-check]", (cards) => cards.length), 0);
      assert.deepEqual(await axeViolations(page), []);
      assert.deepEqual(errors, []);
    } finally {
      await Promise.all(browser.contexts().map((context) => context.close()));
      await vitals.close();
    }
  },
);

test(
  "a banner shows the maintenance switch with its reason while it is on, and goes when it is off",
  {
    skip: SKIP,
    timeout: 60_000,
  },
  async () => {
    const control = "c0ntrol";
    const vitals = await startVitals(`server:\n  controlToken: ${control}\n`);
    const browser = await launch();
    const switchTo = async (method: string) => {
      const response = await fetch(`${vitals.url}maintenance?reason=db+migration`, {
        method,
        headers: { authorization: `Bearer ${control}` },
      });
      assert.equal(response.status, 200, await response.text());
    };
    try {
      const { page, errors } = await watchedPage(browser);
      await page.goto(vitals.url);
      await page.waitForSelector("article[data-check]");
      assert.ok(await page.isHidden("#maintenance"));
      await switchTo("POST");
      await page.waitForSelector("#maintenance:not([hidden])", { timeout: 3_000 });
      assert.match(
        await page.innerText("#maintenance"),
        /^Maintenance: ready held DOWN since \d\d:\d\d:\d\d: db migration$/,
      );
      assert.equal(await page.getAttribute("#maintenance", "role"), "status");
      await page.screenshot({ path: `${OUT}/page-maintenance.png` });
      assert.deepEqual(await axeViolations(page), []);
      await switchTo("DELETE");
      await page.waitForSelector("#maintenance[hidden]", { state: "attached", timeout: 3_000 });
      assert.deepEqual(errors, []);
    } finally {
      await Promise.all(browser.contexts().map((context) => context.close()));
      await vitals.close();
    }
  },
);
