// The WARN state end to end, through Health and the HTTP handler: a WARN check
// works but needs attention, so it never makes a scope DOWN; it counts as a
// success against the thresholds; every body shape shows it under its own
// rules (IETF `warn`, MicroProfile `UP` with the reason in `data`, JSON and
// text `WARN`); metrics say which state each check is in; and every shape's
// top-level status agrees with its own checks (MicroProfile's conjunction,
// validated with MicroProfile Health's published JSON Schema; the IETF shape
// with a schema written from draft-inadarei-api-health-check-06).

import assert from "node:assert/strict";
import { test } from "node:test";
import { Ajv, type ValidateFunction } from "ajv";
import type { Outcome } from "../../src/checks/check.ts";
import { Health } from "../../src/engine/health.ts";
import { createHandler } from "../../src/http/handler.ts";
import { controlled, REFUSED, UP } from "../_helpers/checks.ts";
import { ManualClock } from "../_helpers/clock.ts";
import { onDemand, TTL } from "../_helpers/health.ts";
import { fetchFull, get, getText } from "../_helpers/http.ts";

const SLOW: Outcome = { status: "WARN", message: "responded in 812 ms, over warnAfter 500ms" };

/** MicroProfile Health 3.x's JSON Schema for a health response (its spec, draft 04). */
const MICROPROFILE_SCHEMA = {
  type: "object",
  properties: {
    status: { type: "string", enum: ["UP", "DOWN"] },
    checks: {
      type: "array",
      items: {
        type: "object",
        properties: {
          name: { type: "string" },
          status: { type: "string", enum: ["UP", "DOWN"] },
          data: {
            type: "object",
            properties: {},
            additionalProperties: { type: ["string", "boolean", "number"] },
          },
        },
        required: ["name", "status"],
      },
    },
  },
  required: ["status", "checks"],
};

/** The IETF draft's response shape: status, and checks keyed by component, each a list. */
const IETF_SCHEMA = {
  type: "object",
  properties: {
    status: { enum: ["pass", "warn", "fail"] },
    version: { type: "string" },
    releaseId: { type: "string" },
    notes: { type: "array", items: { type: "string" } },
    output: { type: "string" },
    description: { type: "string" },
    checks: {
      type: "object",
      additionalProperties: {
        type: "array",
        items: {
          type: "object",
          properties: {
            componentType: { type: "string" },
            observedValue: {},
            observedUnit: { type: "string" },
            status: { enum: ["pass", "warn", "fail"] },
            time: { type: "string" },
            output: { type: "string" },
          },
          required: ["status"],
        },
      },
    },
  },
  required: ["status"],
};

const ajv = new Ajv({ strict: false, allErrors: true });
const validMicroprofile: ValidateFunction = ajv.compile(MICROPROFILE_SCHEMA);
const validIetf: ValidateFunction = ajv.compile(IETF_SCHEMA);

/** `undefined` when `body` fits the schema, else ajv's errors as text. */
function misfit(validate: ValidateFunction, body: unknown): string | undefined {
  return validate(body) ? undefined : JSON.stringify(validate.errors);
}

test("a WARN check keeps its scope UP (200), and is listed in details with its reason", async () => {
  const clock = new ManualClock();
  const api = controlled("api", clock);
  api.state.outcome = SLOW;
  const { handler } = onDemand([api.check], clock);
  const { code, body } = await fetchFull(handler, "/health/ready");
  assert.equal(code, 200);
  assert.equal(body.status, "UP");
  assert.equal(body.checks[0]!.status, "WARN");
  assert.deepEqual(body.details, [`api (WARN): ${SLOW.message}`]);
  assert.equal((await getText(handler, "/health/ready/simple")).body, '{"status":"UP"}');
});

test("WARN counts as a success against the thresholds: UP to WARN at once, WARN to DOWN after failureThreshold", async () => {
  const clock = new ManualClock();
  const api = controlled("api", clock, { failureThreshold: 2, successThreshold: 2 });
  const { handler } = onDemand([api.check], clock);
  const statusAfter = async (outcome: Outcome) => {
    api.state.outcome = outcome;
    clock.advance(TTL);
    const { body } = await fetchFull(handler, "/health");
    return body.checks[0]!;
  };
  assert.equal((await fetchFull(handler, "/health")).body.checks[0]!.status, "UP");
  assert.equal((await statusAfter(SLOW)).status, "WARN", "UP to WARN is not damped");
  const once = await statusAfter(REFUSED);
  assert.equal(once.status, "WARN", "one failure of two keeps the working status");
  assert.equal(once.lastOutcome, "DOWN");
  assert.equal((await statusAfter(REFUSED)).status, "DOWN");
  const recovering = await statusAfter(SLOW);
  assert.equal(recovering.status, "DOWN", "one WARN of the two successes needed");
  assert.equal(recovering.consecutiveSuccesses, 1);
  assert.equal((await statusAfter(UP)).status, "UP", "two working results in a row");
});

test("a check that has only ever been WARN latches startup and sets its last success time", async () => {
  const clock = new ManualClock();
  const migrate = controlled("migrate", clock, { groups: ["started"] });
  migrate.state.outcome = SLOW;
  const { handler } = onDemand([migrate.check], clock);
  assert.equal((await get(handler, "/health/started")).status, 200);
  migrate.state.outcome = REFUSED;
  clock.advance(TTL);
  assert.equal((await get(handler, "/health/started")).status, 200, "latched by the WARN");
  const metrics = (await getText(handler, "/metrics")).body;
  assert.match(metrics, /^vitals_check_last_success_timestamp_seconds\{check="migrate"\} [1-9]/m);
});

test("every body shape shows WARN under its own rules, and MicroProfile and IETF bodies fit their schemas", async () => {
  const clock = new ManualClock();
  const api = controlled("api", clock);
  const db = controlled("db", clock);
  api.state.outcome = SLOW;
  const { handler } = onDemand([api.check, db.check], clock);

  const micro = await (await get(handler, "/health?format=microprofile")).json();
  assert.equal(misfit(validMicroprofile, micro), undefined);
  assert.equal(micro.status, "UP");
  assert.deepEqual(micro.checks.map((c: { status: string }) => c.status), ["UP", "UP"]);
  assert.equal(micro.checks[0].data.status, "WARN");
  assert.equal(micro.checks[0].data.reason, `WARN: ${SLOW.message}`);
  assert.ok(!("reason" in micro.checks[1].data), "an UP check has no reason");

  const ietf = await (await get(handler, "/health", { accept: "application/health+json" }))
    .json();
  assert.equal(misfit(validIetf, ietf), undefined);
  assert.equal(ietf.status, "warn");
  assert.equal(ietf.checks["api:responseTime"][0].status, "warn");
  assert.equal(ietf.checks["api:responseTime"][0].output, SLOW.message);
  assert.equal(ietf.checks["db:responseTime"][0].status, "pass");

  const text = (await getText(handler, "/health?format=text")).body;
  assert.match(text, /^WARN\s+api\s/m);
  assert.match(text, /status: UP/);
});

test("MicroProfile's top status is UP exactly when every check in it is UP, in every state", async () => {
  const cases: {
    name: string;
    build: () => Promise<{ handler: ReturnType<typeof createHandler>; close?: () => void }>;
  }[] = [
    {
      name: "a critical DOWN check",
      build: () => {
        const clock = new ManualClock();
        const a = controlled("a", clock);
        a.state.outcome = REFUSED;
        return Promise.resolve(onDemand([a.check, controlled("b", clock).check], clock));
      },
    },
    {
      name: "a non-critical DOWN check and a WARN check",
      build: () => {
        const clock = new ManualClock();
        const a = controlled("a", clock, { critical: false });
        const b = controlled("b", clock);
        a.state.outcome = REFUSED;
        b.state.outcome = SLOW;
        return Promise.resolve(onDemand([a.check, b.check], clock));
      },
    },
    {
      name: "shutting down",
      build: async () => {
        const clock = new ManualClock();
        const health = new Health({
          checks: [controlled("a", clock).check],
          ttl: TTL,
          poolSize: 4,
          clock,
        });
        const handler = createHandler(health);
        await get(handler, "/health/ready");
        health.drain();
        return { handler, close: () => health.close() };
      },
    },
  ];
  for (const { name, build } of cases) {
    const { handler } = await build();
    for (const path of ["/health", "/health/ready"]) {
      const response = await get(handler, `${path}?format=microprofile`);
      const body = await response.json();
      assert.equal(misfit(validMicroprofile, body), undefined, name);
      const allUp = body.checks.every((check: { status: string }) => check.status === "UP");
      assert.equal(body.status === "UP", allUp, `${name} at ${path}: ${JSON.stringify(body)}`);
      assert.equal(response.status, body.status === "UP" ? 200 : 503);
    }
  }
});

test("metrics give each check's state as up, warn or down, and count WARN runs", async () => {
  const clock = new ManualClock();
  const api = controlled("api", clock);
  const db = controlled("db", clock);
  api.state.outcome = SLOW;
  db.state.outcome = REFUSED;
  const { handler } = onDemand([api.check, db.check, controlled("up", clock).check], clock);
  await get(handler, "/health");
  const text = (await getText(handler, "/metrics")).body;
  for (
    const [check, up, state] of [["api", 1, "warn"], ["db", 0, "down"], ["up", 1, "up"]] as const
  ) {
    assert.match(text, new RegExp(`^vitals_check_up\\{check="${check}",[^}]*\\} ${up}$`, "m"));
    for (const other of ["up", "warn", "down"]) {
      const value = other === state ? 1 : 0;
      assert.match(
        text,
        new RegExp(`^vitals_check_state\\{check="${check}",state="${other}"\\} ${value}$`, "m"),
      );
    }
  }
  assert.match(text, /^vitals_check_runs_total\{check="api",result="warn"\} 1$/m);
  assert.match(text, /^vitals_up 0$/m);
});
