// The body shapes of /health (src/http/bodies.ts) from a real app: JSON, IETF
// health+json, MicroProfile and text, chosen by Accept or ?format= with the
// status code unchanged; group endpoints negotiate too; and the Accept
// negotiation itself. The text body (renderBody) shows a message that tries to
// forge a line on its row and in its detail, escaped.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { App } from "../../src/app/create_app.ts";
import { negotiate, renderBody } from "../../src/http/bodies.ts";
import { VERSION } from "../../src/version.ts";
import { flippable } from "../_helpers/apps.ts";
import { STAMP } from "../_helpers/clock.ts";
import { aggregate, result } from "../_helpers/health.ts";
import { get } from "../_helpers/http.ts";
import { FORGED_ESCAPED, FORGED_MESSAGE, hasRawControl } from "../_helpers/text.ts";

/** Every shape of /health for one state, with its status code. */
async function shapes(app: App) {
  const json = await get(app, "/health");
  const ietf = await get(app, "/health", { accept: "application/health+json" });
  const micro = await get(app, "/health?format=microprofile");
  const text = await get(app, "/health", { accept: "text/plain" });
  const textQuery = await get(app, "/health?format=text");
  return {
    codes: [json, ietf, micro, text, textQuery].map((r) => r.status),
    types: [json, ietf, micro, text].map((r) => r.headers.get("content-type")),
    json: await json.json(),
    ietf: await ietf.json(),
    micro: await micro.json(),
    text: await text.text(),
    textQuery: await textQuery.text(),
  };
}

test("every body shape keeps the status code: UP is 200 in each", async () => {
  const { app, open } = await flippable();
  await open();
  const s = await shapes(app);
  assert.deepEqual(s.codes, [200, 200, 200, 200, 200]);
  assert.deepEqual(s.types, [
    "application/json",
    "application/health+json",
    "application/json",
    "text/plain; charset=utf-8",
  ]);
  assert.equal(s.json.status, "UP");
  assert.equal(s.ietf.status, "pass");
  assert.equal(s.ietf.releaseId, VERSION);
  const gate = s.ietf.checks["gate:responseTime"][0];
  assert.equal(gate.status, "pass");
  assert.equal(gate.observedUnit, "ms");
  assert.equal(typeof gate.observedValue, "number");
  assert.equal(gate.componentType, "system");
  assert.ok(!("output" in gate), "a passing check has no output");
  assert.equal(s.micro.status, "UP");
  assert.deepEqual(s.micro.checks.map((c: { name: string }) => c.name), ["gate", "extra"]);
  assert.equal(s.micro.checks[0].data.type, "command");
  assert.match(s.text, /^name: .+\nSTATUS\s+CHECK\s+TYPE/);
  assert.match(s.text, /status: UP \(2 checks at /);
  app.health.close();
});

test("a non-critical DOWN check keeps 200, makes the IETF status warn and stays UP in MicroProfile's conjunction", async () => {
  const { app, open } = await flippable({ extraUp: false });
  await open();
  const s = await shapes(app);
  assert.deepEqual(s.codes, [200, 200, 200, 200, 200]);
  assert.equal(s.json.status, "UP");
  assert.deepEqual(s.json.details, ["extra: exit code 1"]);
  assert.equal(s.ietf.status, "warn");
  assert.equal(s.ietf.checks["extra:responseTime"][0].status, "warn");
  assert.equal(s.ietf.checks["extra:responseTime"][0].output, "exit code 1");
  assert.equal(s.micro.status, "UP");
  // MicroProfile: the top is UP iff every check is, so vitals' DOWN goes in data.
  assert.equal(s.micro.checks[1].status, "UP");
  assert.equal(s.micro.checks[1].data.status, "DOWN");
  assert.equal(s.micro.checks[1].data.reason, "not critical: exit code 1");
  assert.match(s.text, /DOWN\s+extra\s+command\s+no/);
  app.health.close();
});

test("a critical DOWN check is 503 in every shape and fail in the IETF shape", async () => {
  const { app } = await flippable();
  const s = await shapes(app);
  assert.deepEqual(s.codes, [503, 503, 503, 503, 503]);
  assert.equal(s.json.status, "DOWN");
  assert.equal(s.ietf.status, "fail");
  assert.equal(s.ietf.checks["gate:responseTime"][0].status, "fail");
  assert.match(s.ietf.checks["gate:responseTime"][0].output, /exit code 3.*gate "closed"/);
  assert.deepEqual(s.ietf.notes, [s.json.details[0]]);
  assert.equal(s.micro.status, "DOWN");
  assert.match(s.text, /status: DOWN/);
  assert.match(s.textQuery, /status: DOWN/);
  app.health.close();
});

test("group endpoints negotiate shapes too, and simple bodies stay one-field JSON", async () => {
  const { app, open } = await flippable();
  await open();
  const ready = await get(app, "/health/ready", { accept: "application/health+json" });
  assert.equal(ready.status, 200);
  assert.equal(ready.headers.get("content-type"), "application/health+json");
  assert.equal((await ready.json()).status, "pass");
  const simple = await get(app, "/health/ready/simple", { accept: "text/plain" });
  assert.deepEqual(await simple.json(), { status: "UP" });
  app.health.close();
});

test("an unknown ?format= answers 400 naming the formats", async () => {
  const { app } = await flippable();
  const response = await get(app, "/health?format=xml");
  assert.equal(response.status, 400);
  assert.match((await response.json()).error, /json, health\+json, microprofile or text/);
  assert.equal(app.health.evaluations, 0, "a rejected request runs no check");
  app.health.close();
});

test("Accept negotiation follows q-values and falls back to JSON", () => {
  assert.equal(negotiate(null, ""), "json");
  assert.equal(negotiate("*/*", ""), "json");
  assert.equal(negotiate("text/html,application/xhtml+xml,*/*;q=0.8", ""), "json");
  assert.equal(negotiate("text/plain", ""), "text");
  assert.equal(negotiate("application/json;q=0.5, text/plain;q=0.9", ""), "text");
  assert.equal(negotiate("application/health+json", ""), "health+json");
  assert.equal(negotiate("text/plain", "format=json"), "json", "?format= wins over Accept");
  assert.equal(negotiate(null, "format=health+json"), "health+json");
  assert.equal(negotiate(null, "a=1&format=microprofile"), "microprofile");
  assert.equal(negotiate(null, "format=yaml"), undefined);
});

test("the text body keeps a forged line and ESC sequences escaped, in the row and the detail", () => {
  const status = aggregate(
    [result("db", "DOWN", FORGED_MESSAGE), result("cache", "UP", "ok")],
    STAMP,
    1,
  );
  const body = renderBody(status, "text");
  assert.ok(body.endsWith("\n"));
  const lines = body.slice(0, -1).split("\n");
  for (const line of lines) {
    assert.ok(!line.includes("\r") && !line.includes("\u001b"), JSON.stringify(line));
    assert.ok(!line.startsWith("2026-01-01"), `a forged line: ${JSON.stringify(line)}`);
  }
  assert.equal(lines.length, 6, body);
  assert.match(
    lines[1] ?? "",
    /^DOWN {4}db .* db down 2026-01-01T00:00:00\.000Z ERROR forged\\u001b/,
  );
  // The detail keeps the message's line break as a visible \n.
  assert.equal(lines[5], `  db: ${FORGED_ESCAPED}`);
  assert.ok(!hasRawControl(lines.join("")));
});
