// The `/maintenance` route (src/http/_maintenance_route.ts, routed by
// src/http/handler.ts) on apps built from config text as `vitals serve`
// builds them: a 404 like any unknown path without `server.controlToken`; with
// one, 401 and no change without the token; on, update, read and off with it;
// 400 for what it does not accept, 405 and 413; the switch shown in the
// health bodies (behind the details token), /metrics, /health/history and the
// log; a reload keeping it.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import type { App } from "../../src/app/create_app.ts";
import { parseConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/log.ts";
import { requester } from "../../src/http/_maintenance_route.ts";
import { appOf } from "../_helpers/apps.ts";
import { DOWN_BODY, get, getText, UP_BODY } from "../_helpers/http.ts";

const TOKEN = "c0ntrol-token";
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const CHECKS = `checks:
  - {name: db, type: command, command: ["true"], groups: [live, ready]}
`;

/** An app with `server` as its server section (none when empty), and its JSON log lines. */
function appWith(server: string): { app: App; lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  const log = createLogger({ format: "json", level: "info", write: (line) => written.push(line) });
  const app = appOf(`${server ? `server:\n${server}\n` : ""}${CHECKS}`, log);
  return { app, lines: () => written.map((line) => JSON.parse(line)) };
}

const withToken = () => appWith(`  controlToken: ${TOKEN}`);

async function maint(
  app: App,
  method: string,
  query = "",
  headers: Record<string, string> = bearer(TOKEN),
) {
  const answer = await getText(app, `/maintenance${query}`, headers, method);
  return { ...answer, json: answer.body === "" ? undefined : JSON.parse(answer.body) };
}

test("without server.controlToken (or with an empty one), /maintenance is an unknown path for every method and nothing changes", async () => {
  for (const server of ["", '  controlToken: ""']) {
    const { app } = appWith(server);
    const unknown = await getText(app, "/no-such-path");
    for (const method of ["GET", "POST", "DELETE", "PUT"]) {
      const answer = await maint(app, method, "?reason=x");
      assert.equal(answer.status, 404, method);
      assert.deepEqual(answer.json.routes, JSON.parse(unknown.body).routes);
    }
    assert.deepEqual(app.health.maintenance.state, { on: false });
    assert.equal((await get(app, "/health/ready")).status, 200);
    const metrics = (await getText(app, "/metrics")).body;
    assert.match(metrics, /vitals_http_requests_total\{path="other",code="404"\} 5/);
    app.health.close();
  }
});

test("with a control token, a missing or wrong token gets 401 with WWW-Authenticate: Bearer and changes nothing", async () => {
  const { app } = withToken();
  const wrong = [
    {},
    bearer("wrong"),
    bearer(`${TOKEN}x`),
    bearer(TOKEN.slice(1)),
    { authorization: `Basic ${btoa(`u:${TOKEN}`)}` },
    { authorization: TOKEN },
  ];
  for (const headers of wrong) {
    for (const method of ["GET", "POST", "DELETE"]) {
      const answer = await maint(app, method, "?reason=x", headers);
      assert.equal(answer.status, 401, `${method} ${JSON.stringify(headers)}`);
      assert.equal(answer.headers.get("www-authenticate"), 'Bearer realm="vitals"');
      assert.match(answer.json.error, /controlToken/);
      assert.ok(!answer.body.includes(TOKEN), "the answer never holds the token");
    }
  }
  assert.deepEqual(app.health.maintenance.state, { on: false });
  assert.equal((await getText(app, "/health/ready")).status, 200);
  // Nor does a wrong token turn a switch that is on off.
  await maint(app, "POST", "?reason=kept");
  assert.equal((await maint(app, "DELETE", "", bearer("wrong"))).status, 401);
  assert.equal(app.health.maintenance.info?.reason, "kept");
  app.health.close();
});

test("POST turns it on for ready: /health/ready answers 503 with the reason, live and /health stay 200; DELETE turns it off", async () => {
  const { app } = withToken();
  assert.equal((await get(app, "/health/ready")).status, 200);
  const on = await maint(app, "POST", "?reason=db+migration%20now");
  assert.equal(on.status, 200);
  assert.equal(on.json.on, true);
  assert.equal(on.json.reason, "db migration now");
  assert.deepEqual(on.json.groups, ["ready"]);
  assert.ok(!Number.isNaN(Date.parse(on.json.since)));

  const ready = await getText(app, "/health/ready");
  assert.equal(ready.status, 503);
  const body = JSON.parse(ready.body);
  assert.equal(body.status, "DOWN");
  assert.deepEqual(body.details, ["maintenance: db migration now"]);
  assert.deepEqual(body.maintenance, {
    reason: "db migration now",
    since: on.json.since,
    groups: [
      "ready",
    ],
  });
  assert.equal((await getText(app, "/health/ready/simple")).body, DOWN_BODY);
  assert.equal((await get(app, "/health/live")).status, 200);
  const all = await getText(app, "/health");
  assert.equal(all.status, 200, "/health is not taken down unless named");
  assert.equal(JSON.parse(all.body).maintenance.reason, "db migration now");
  assert.equal((await getText(app, "/health/simple")).body, UP_BODY);

  const read = await maint(app, "GET");
  assert.deepEqual(read.json, on.json);
  const off = await maint(app, "DELETE");
  assert.equal(off.status, 200);
  assert.deepEqual(off.json, { on: false });
  assert.equal((await get(app, "/health/ready")).status, 200);
  assert.deepEqual((await maint(app, "DELETE")).json, { on: false }, "off again: still off");
  app.health.close();
});

test("repeated group parameters name the scopes; a second POST updates the reason and keeps the start", async () => {
  const { app } = withToken();
  const first = await maint(app, "POST", "?reason=one&group=live&group=ready");
  assert.deepEqual(first.json.groups, ["live", "ready"]);
  assert.equal((await get(app, "/health/live")).status, 503);
  const second = await maint(app, "POST", "?group=all&reason=two");
  assert.deepEqual(second.json.groups, ["all"]);
  assert.equal(second.json.since, first.json.since);
  assert.equal((await get(app, "/health")).status, 503);
  assert.equal((await get(app, "/health/live")).status, 200);
  assert.equal((await get(app, "/health/ready")).status, 200);
  app.health.close();
});

test("a reason or group that is not accepted, or another parameter, gets 400 and changes nothing", async () => {
  const { app } = withToken();
  await maint(app, "POST", "?reason=kept");
  const cases: [string, RegExp][] = [
    ["", /a reason is required/],
    ["?group=ready", /a reason is required/],
    ["?reason=a&reason=b", /expected one reason, got 2/],
    ["?reason=", /expected some text, got none/],
    ["?reason=%20%20", /expected some text, got none/],
    ["?reason=two%0Alines", /control characters are not accepted/],
    ["?reason=esc%1B%5B31m", /control characters are not accepted/],
    [`?reason=${"x".repeat(201)}`, /expected at most 200 characters, got 201/],
    [
      "?reason=x&group=readiness",
      /Unknown group "readiness": expected live, ready, started or all/,
    ],
    ["?reason=x&groups=live", /unknown query parameter "groups": expected reason and group/],
  ];
  for (const [query, error] of cases) {
    const answer = await maint(app, "POST", query);
    assert.equal(answer.status, 400, query);
    assert.match(answer.json.error, error, query);
  }
  assert.deepEqual(app.health.maintenance.info?.reason, "kept");
  assert.deepEqual(app.health.maintenance.info?.groups, ["ready"]);
  app.health.close();
});

test("other methods get 405 with Allow; a request with a body gets 413; HEAD reads the state without a body", async () => {
  const { app } = withToken();
  for (const method of ["PUT", "PATCH", "OPTIONS"]) {
    const answer = await maint(app, method, "?reason=x");
    assert.equal(answer.status, 405, method);
    assert.equal(answer.headers.get("allow"), "GET, HEAD, POST, DELETE");
  }
  for (const headers of [{ "content-length": "5" }, { "transfer-encoding": "chunked" }]) {
    const withBody = await maint(app, "POST", "?reason=x", { ...bearer(TOKEN), ...headers });
    assert.equal(withBody.status, 413, JSON.stringify(headers));
    assert.match(withBody.json.error, /send the reason in the query string/);
  }
  assert.deepEqual(app.health.maintenance.state, { on: false });
  await maint(app, "POST", "?reason=x");
  const head = await getText(app, "/maintenance", bearer(TOKEN), "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
  assert.ok(Number(head.headers.get("content-length")) > 10);
  // The health routes still take GET and HEAD only.
  assert.equal((await get(app, "/health/ready", {}, "POST")).status, 405);
  app.health.close();
});

test("with a details token, the switch shows in /health and /health/history only to its holder", async () => {
  const details = "d3tails-token";
  const { app } = appWith(`  controlToken: ${TOKEN}\n  detailsToken: ${details}`);
  await maint(app, "POST", "?reason=secret+plan");
  const open = await getText(app, "/health/ready");
  assert.equal(open.status, 503);
  assert.equal(open.body, DOWN_BODY);
  const full = await getText(app, "/health/ready", bearer(details));
  assert.deepEqual(JSON.parse(full.body).details, ["maintenance: secret plan"]);
  const restricted = JSON.parse((await getText(app, "/health/history")).body);
  assert.deepEqual(Object.keys(restricted.maintenance).sort(), ["groups", "since"]);
  assert.equal(restricted.groups.ready, "DOWN");
  const history = JSON.parse((await getText(app, "/health/history", bearer(details))).body);
  assert.equal(history.maintenance.reason, "secret plan");
  // The control token is not a details token.
  assert.equal((await getText(app, "/health/ready", bearer(TOKEN))).body, DOWN_BODY);
  app.health.close();
});

test("/metrics has vitals_maintenance per group: 1 for each held DOWN, else 0", async () => {
  const { app } = withToken();
  const gauge = async () =>
    (await getText(app, "/metrics")).body.split("\n").filter((line) =>
      line.startsWith("vitals_maintenance")
    );
  assert.deepEqual(await gauge(), [
    'vitals_maintenance{group="live"} 0',
    'vitals_maintenance{group="ready"} 0',
    'vitals_maintenance{group="started"} 0',
    'vitals_maintenance{group="all"} 0',
  ]);
  await maint(app, "POST", "?reason=x&group=ready&group=started");
  assert.deepEqual(await gauge(), [
    'vitals_maintenance{group="live"} 0',
    'vitals_maintenance{group="ready"} 1',
    'vitals_maintenance{group="started"} 1',
    'vitals_maintenance{group="all"} 0',
  ]);
  app.health.close();
});

test("the log has one line as it goes on and one as it goes off, with the reason and who", async () => {
  const { app, lines } = withToken();
  await maint(app, "POST", "?reason=db+migration");
  await maint(app, "GET");
  await maint(app, "DELETE");
  const said = lines().filter((line) => String(line.msg).startsWith("maintenance"));
  assert.deepEqual(
    said.map(({ level, msg, reason, groups, by }) => ({ level, msg, reason, groups, by })),
    [
      {
        level: "warn",
        msg: "maintenance on (ready) by local: db migration",
        reason: "db migration",
        groups: "ready",
        by: "local",
      },
      {
        level: "info",
        msg: "maintenance off (ready) by local; it was: db migration",
        reason: "db migration",
        groups: "ready",
        by: "local",
      },
    ],
  );
  app.health.close();
});

test("who asked is the peer's address the server hands over: IPv6 as is, IPv4-mapped as IPv4", async () => {
  assert.equal(requester({ remoteAddress: "127.0.0.1" }), "127.0.0.1");
  assert.equal(requester({ remoteAddress: "::1" }), "::1");
  assert.equal(requester({ remoteAddress: "::ffff:127.0.0.1" }), "127.0.0.1");
  assert.equal(requester({ remoteAddress: "::FFFF:10.1.2.3" }), "10.1.2.3");
  assert.equal(requester({ remoteAddress: "::ffff:a00:1" }), "::ffff:a00:1");
  assert.equal(requester({ remoteAddress: "" }), "local");
  assert.equal(requester(undefined), "local");

  const { app } = withToken();
  const by: string[] = [];
  app.health.maintenance.onChange((change) => by.push(change.by));
  const request = (method: string, query = "") =>
    new Request(`http://localhost/maintenance${query}`, { method, headers: bearer(TOKEN) });
  let asked = 0;
  // Read only by the maintenance route, and only when the switch changes.
  const info = (address: string) => ({
    get remoteAddress() {
      asked++;
      return address;
    },
  });
  assert.equal(
    (await app.handler(new Request("http://localhost/health/ready"), info("::1"))).status,
    200,
  );
  assert.equal((await app.handler(request("GET"), info("::1"))).status, 200);
  assert.equal(asked, 0);
  assert.equal(
    (await app.handler(request("POST", "?reason=drain"), info("::ffff:10.0.0.7"))).status,
    200,
  );
  assert.equal((await app.handler(request("DELETE"), info("::1"))).status, 200);
  assert.deepEqual(by, ["10.0.0.7", "::1"]);
  assert.equal(asked, 2);
  app.health.close();
});

test("a reload keeps the switch on; a reload that removes the control token closes the route, not the switch", async () => {
  const { app } = withToken();
  await maint(app, "POST", "?reason=db+migration");
  await app.reload(parseConfig(`server:\n  controlToken: ${TOKEN}\n${CHECKS}`, "t.yaml", {}));
  assert.equal((await get(app, "/health/ready")).status, 503);
  await app.reload(parseConfig(CHECKS, "t.yaml", {}));
  assert.equal((await maint(app, "DELETE")).status, 404);
  assert.equal((await get(app, "/health/ready")).status, 503, "still held DOWN");
  assert.equal(app.health.maintenance.info?.reason, "db migration");
  app.health.close();
});

test("a control token configured as sha256:<hex> accepts the token whose hash it is", async () => {
  const hash = createHash("sha256").update(TOKEN).digest("hex");
  const { app } = appWith(`  controlToken: "sha256:${hash}"`);
  assert.equal((await maint(app, "POST", "?reason=x", bearer(`sha256:${hash}`))).status, 401);
  assert.equal((await maint(app, "POST", "?reason=x")).status, 200);
  assert.equal((await get(app, "/health/ready")).status, 503);
  app.health.close();
});
