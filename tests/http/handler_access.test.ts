/**
 * Access control of the HTTP handler (src/http/handler.ts, with the tokens of
 * src/http/token.ts), on apps built from config text:
 *
 * - `server.detailsToken`: without `Authorization: Bearer <token>` every health
 *   route answers the same status code with only `{"status":...}`; with it, the
 *   full body in every format. An empty token (an unset `${VAR:-}`) means open.
 * - `server.metricsToken`: `/metrics` answers 401 without the token; every
 *   health route stays open (their status codes are no secret).
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/config/load.ts";
import { silentLogger } from "../../src/log.ts";
import { appOf } from "../_helpers/apps.ts";
import { DOWN_BODY, getText, UP_BODY } from "../_helpers/http.ts";
import { closedPort } from "../_helpers/servers.ts";

const DETAILS_TOKEN = "s3cret-token";
const METRICS_TOKEN = "m3trics-token";

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Two checks in the ready group: one UP, and one DOWN that is critical only
 * when `downIsCritical`; so the status is UP (200) or DOWN (503) as asked, and
 * the full body always carries two messages.
 */
async function detailsConfig(
  server: string,
  options: { downIsCritical?: boolean } = {},
): Promise<string> {
  return `server:
${server}
checks:
  - name: fine
    type: command
    command: ["sh", "-c", "exit 0"]
    timeout: 5s
  - name: broken
    type: tcp
    port: ${await closedPort()}
    timeout: 2s
    critical: ${options.downIsCritical ?? false}
`;
}

// ---------------------------------------------------------------------------
// detailsToken

const NOT_THE_TOKEN: readonly (Record<string, string>)[] = [
  {},
  bearer("wrong-token"),
  bearer(`${DETAILS_TOKEN}x`),
  bearer(DETAILS_TOKEN.slice(0, -1)),
  bearer(DETAILS_TOKEN.toUpperCase()),
  { authorization: `Basic ${btoa(`user:${DETAILS_TOKEN}`)}` },
  { authorization: DETAILS_TOKEN },
  { authorization: "Bearer" },
];

const SHAPES: readonly { query: string; accept?: string }[] = [
  { query: "" },
  { query: "", accept: "application/health+json" },
  { query: "", accept: "text/plain" },
  { query: "?format=text" },
  { query: "?format=microprofile" },
  { query: "?format=health%2Bjson" },
];

test("detailsToken: without the right bearer token every health route answers the same status with only the status field", async () => {
  for (const downIsCritical of [false, true]) {
    const app = appOf(
      await detailsConfig(`  detailsToken: ${DETAILS_TOKEN}`, { downIsCritical }),
    );
    const expected = downIsCritical ? DOWN_BODY : UP_BODY;
    for (const path of ["/health", "/health/ready"]) {
      for (const shape of SHAPES) {
        const accept: Record<string, string> = shape.accept ? { accept: shape.accept } : {};
        const authorized = await getText(app, `${path}${shape.query}`, {
          ...accept,
          ...bearer(DETAILS_TOKEN),
        });
        assert.equal(authorized.status, downIsCritical ? 503 : 200);
        for (const credentials of NOT_THE_TOKEN) {
          const where = `${path}${shape.query} ${JSON.stringify({ ...accept, ...credentials })}`;
          const response = await getText(app, `${path}${shape.query}`, {
            ...accept,
            ...credentials,
          });
          assert.equal(response.status, authorized.status, where);
          assert.equal(response.body, expected, where);
          assert.equal(response.headers.get("content-type"), "application/json", where);
        }
        // HEAD: the same status, and the length of the short body.
        const head = await getText(app, `${path}${shape.query}`, accept, "HEAD");
        assert.equal(head.status, authorized.status);
        assert.equal(head.body, "");
        assert.equal(head.headers.get("content-length"), String(expected.length));
      }
    }
  }
});

test("detailsToken: the right bearer token gets the full body with every check in every format", async () => {
  const app = appOf(await detailsConfig(`  detailsToken: ${DETAILS_TOKEN}`));
  for (const path of ["/health", "/health/ready"]) {
    const json = await getText(app, path, bearer(DETAILS_TOKEN));
    assert.equal(json.status, 200);
    const body = JSON.parse(json.body) as { checks: { name: string; message: string }[] };
    assert.deepEqual(body.checks.map((check) => check.name), ["fine", "broken"]);
    assert.equal(body.checks[0]?.message, "exit 0");
    assert.ok((body.checks[1]?.message ?? "").length > 0);

    // The scheme is case-insensitive, as RFC 7235 says.
    const lower = await getText(app, path, { authorization: `bearer ${DETAILS_TOKEN}` });
    assert.equal(lower.body, json.body);

    const ietf = await getText(app, path, {
      accept: "application/health+json",
      ...bearer(DETAILS_TOKEN),
    });
    assert.equal(ietf.headers.get("content-type"), "application/health+json");
    assert.deepEqual(Object.keys(JSON.parse(ietf.body).checks), [
      "fine:responseTime",
      "broken:responseTime",
    ]);

    const micro = await getText(app, `${path}?format=microprofile`, bearer(DETAILS_TOKEN));
    assert.equal(JSON.parse(micro.body).checks.length, 2);

    const text = await getText(app, `${path}?format=text`, bearer(DETAILS_TOKEN));
    assert.match(text.headers.get("content-type") ?? "", /^text\/plain/);
    assert.match(text.body, /^name: .+\nSTATUS +CHECK/);
    assert.match(text.body, /\bfine\b/);
    assert.match(text.body, /\bbroken\b/);
  }
});

test("detailsToken: /health/simple and the group probes keep the short body even with the token", async () => {
  const app = appOf(await detailsConfig(`  detailsToken: ${DETAILS_TOKEN}`));
  for (const path of ["/health/simple", "/health/ready/simple", "/health/ready?simple"]) {
    for (const credentials of [{}, bearer(DETAILS_TOKEN)]) {
      const response = await getText(app, path, credentials);
      assert.equal(response.status, 200, path);
      assert.equal(response.body, UP_BODY, path);
    }
  }
});

test("detailsToken: an empty token, as an unset ${VAR:-} expands, leaves details open", async () => {
  const app = appOf(
    await detailsConfig("  detailsToken: ${VITALS_DETAILS_TOKEN:-}"),
    silentLogger,
    {},
  );
  assert.equal(app.config.server.detailsToken, "");
  const response = await getText(app, "/health");
  assert.equal(response.status, 200);
  assert.equal(JSON.parse(response.body).checks.length, 2);

  const fromEnv = appOf(
    await detailsConfig("  detailsToken: ${VITALS_DETAILS_TOKEN:-}"),
    silentLogger,
    { VITALS_DETAILS_TOKEN: DETAILS_TOKEN },
  );
  assert.equal((await getText(fromEnv, "/health")).body, UP_BODY);
  assert.equal(
    JSON.parse((await getText(fromEnv, "/health", bearer(DETAILS_TOKEN))).body).checks.length,
    2,
  );
});

test("detailsToken: a reload that sets or changes the token applies to the next request", async () => {
  const open = await detailsConfig("  port: 8080");
  const app = appOf(open);
  assert.equal(JSON.parse((await getText(app, "/health")).body).checks.length, 2);

  await app.reload(
    parseConfig(open.replace("port: 8080", "detailsToken: first-token"), "t.yaml", {}),
  );
  assert.equal((await getText(app, "/health")).body, UP_BODY);
  assert.equal(
    JSON.parse((await getText(app, "/health", bearer("first-token"))).body).checks.length,
    2,
  );

  await app.reload(
    parseConfig(open.replace("port: 8080", "detailsToken: second-token"), "t.yaml", {}),
  );
  assert.equal((await getText(app, "/health", bearer("first-token"))).body, UP_BODY);
  assert.equal(
    JSON.parse((await getText(app, "/health", bearer("second-token"))).body).checks.length,
    2,
  );
});

// ---------------------------------------------------------------------------
// metricsToken

test("metricsToken: /metrics answers 401 with www-authenticate unless the bearer token is right", async () => {
  const app = appOf(await detailsConfig(`  metricsToken: ${METRICS_TOKEN}`));
  for (const path of ["/metrics", "/metrics/"]) {
    for (const credentials of [...NOT_THE_TOKEN, bearer(DETAILS_TOKEN)]) {
      const where = `${path} ${JSON.stringify(credentials)}`;
      for (const method of ["GET", "HEAD"]) {
        const response = await getText(app, path, credentials, method);
        assert.equal(response.status, 401, where);
        assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="vitals"', where);
        assert.equal(response.headers.get("cache-control"), "no-store", where);
        if (method === "GET") {
          assert.deepEqual(JSON.parse(response.body), {
            error: "unauthorized: send Authorization: Bearer <metricsToken>",
          });
        }
      }
    }
  }
  const metrics = await getText(app, "/metrics", bearer(METRICS_TOKEN));
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  assert.match(metrics.body, /^# HELP vitals_up /m);
  const simple = await getText(app, "/health/simple", bearer(METRICS_TOKEN));
  assert.equal(simple.status, 200);
  assert.equal(simple.body, UP_BODY);
});

test("metricsToken: the probe endpoints stay open, so kubelet needs no token", async () => {
  for (const downIsCritical of [false, true]) {
    const app = appOf(
      await detailsConfig(`  metricsToken: ${METRICS_TOKEN}`, { downIsCritical }),
    );
    const ready = await getText(app, "/health/ready/simple");
    assert.equal(ready.status, downIsCritical ? 503 : 200);
    assert.equal(ready.body, downIsCritical ? DOWN_BODY : UP_BODY);
    assert.equal(ready.headers.get("www-authenticate"), null);
    for (const path of ["/health/live", "/health/live/simple", "/health/started/simple"]) {
      const response = await getText(app, path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get("www-authenticate"), null, path);
    }
  }
});

test("metricsToken and detailsToken are separate: neither unlocks the other's routes", async () => {
  const app = appOf(
    await detailsConfig(`  metricsToken: ${METRICS_TOKEN}\n  detailsToken: ${DETAILS_TOKEN}`),
  );
  assert.equal((await getText(app, "/metrics", bearer(DETAILS_TOKEN))).status, 401);
  assert.equal((await getText(app, "/health", bearer(METRICS_TOKEN))).body, UP_BODY);
  assert.equal((await getText(app, "/metrics", bearer(METRICS_TOKEN))).status, 200);
  assert.equal(
    JSON.parse((await getText(app, "/health", bearer(DETAILS_TOKEN))).body).checks.length,
    2,
  );
});

test("metricsToken: an empty token leaves /metrics and /health/simple open; metrics: false hides /metrics", async () => {
  const open = appOf(await detailsConfig("  metricsToken: ${VITALS_METRICS_TOKEN:-}"));
  assert.equal((await getText(open, "/metrics")).status, 200);
  assert.equal((await getText(open, "/health/simple")).status, 200);

  const off = appOf(
    await detailsConfig(`  metricsToken: ${METRICS_TOKEN}\n  metrics: false`),
  );
  assert.equal((await getText(off, "/metrics", bearer(METRICS_TOKEN))).status, 404);
});

test("metricsToken guards /metrics only: /health/simple and /health?simple stay open", async () => {
  const app = appOf(await detailsConfig(`  metricsToken: ${METRICS_TOKEN}`));
  for (const path of ["/health/simple", "/health/simple/", "/health?simple"]) {
    const response = await getText(app, path);
    assert.equal(response.status, 200, path);
    assert.equal(response.body, UP_BODY, path);
    assert.equal(response.headers.get("www-authenticate"), null, path);
  }
  assert.equal((await getText(app, "/metrics")).status, 401);
});
