/**
 * The config's shape, section defaults and validation, as one zod schema.
 *
 * The same schema validates files at load time and generates the JSON Schema
 * that editors use ({@link configJsonSchema}). Error texts are written for
 * people: the loader appends the value it got.
 *
 * This file holds the file's sections; one check's schema is in
 * _schema_checks.ts (with _schema_tls.ts and _schema_response.ts), and the
 * values they are made of in _schema_values.ts.
 *
 * @module
 */

import { z } from "zod";
import { formatDuration } from "./duration.ts";
import { publishedSchema } from "./_json_schema.ts";
import {
  bool,
  duration,
  groupList,
  intRange,
  nonEmpty,
  text,
  threshold,
  token,
} from "./_schema_values.ts";
import { check } from "./_schema_checks.ts";
import { serverTls } from "./_schema_server_tls.ts";

export {
  CHECK_NAME_PATTERN,
  MAX_CERTIFICATE_WINDOW_MS,
  MAX_DURATION_MS,
} from "./_schema_values.ts";

/**
 * An http check's `warnAfter` and `downAfter`: below its timeout (which may
 * come from `defaults`), and `warnAfter` below `downAfter`. Checked on the
 * whole config, which knows the default timeout.
 */
function responseTimeLimits(
  config: {
    defaults: { timeout: number };
    checks: readonly {
      type: string;
      timeout?: number | undefined;
      warnAfter?: number | undefined;
      downAfter?: number | undefined;
    }[];
  },
  context: z.core.$RefinementCtx,
): void {
  // Refinements run on values that failed their own checks too: only numbers are compared.
  const ms = (value: unknown) => typeof value === "number" ? value : undefined;
  config.checks.forEach((check, index) => {
    if (check?.type !== "http") return;
    const timeout = ms(check.timeout) ?? ms(config.defaults?.timeout);
    if (timeout === undefined) return;
    const limit = `the timeout (${formatDuration(timeout)}${
      check.timeout === undefined ? ", from defaults.timeout" : ""
    })`;
    const below = (key: "warnAfter" | "downAfter", than: number, what: string) => {
      const value = ms(check[key]);
      if (value === undefined || value < than) return;
      context.addIssue({
        code: "custom",
        path: ["checks", index, key],
        input: value,
        message: `expected a duration below ${what}, got ${formatDuration(value)}`,
      });
    };
    below("downAfter", timeout, limit);
    const downAfter = ms(check.downAfter);
    if (downAfter !== undefined) {
      below("warnAfter", downAfter, `downAfter (${formatDuration(downAfter)})`);
    } else if (check.downAfter === undefined) below("warnAfter", timeout, limit);
  });
}

const SECTION = { error: "expected a mapping (leave the key out to use the defaults)" };

/** The whole config file, before per-check defaults are applied. */
export const configSchema = z.strictObject({
  server: z.strictObject({
    host: nonEmpty("a host name or IP address").prefault("0.0.0.0"),
    port: intRange(0, 65535).prefault(8080),
    maxWait: duration({ min: 1 }).prefault("900ms"),
    drainDelay: duration({ min: 0 }).prefault(0),
    metrics: bool.prefault(true),
    detailsToken: token.optional(),
    metricsToken: token.optional(),
    /** Serves `/maintenance` (the maintenance switch) to this bearer token; off when absent. */
    controlToken: token.optional(),
    /** Keeps the maintenance switch in this file across restarts; unset: in memory only. */
    maintenanceFile: nonEmpty("a file path, such as /var/run/vitals/maintenance.json").optional(),
    /** Names this vitals on its page, history and text body; unset or empty: from the env. */
    name: text("a name for this vitals, such as the pod's").optional(),
    /** Serve HTTPS instead of HTTP (off when absent). */
    tls: serverTls.optional(),
    /** Also serve grpc.health.v1 on this port (off when absent); the host is server.host. */
    grpc: z.strictObject({ port: intRange(0, 65535), tls: serverTls.optional() }, {
      error: "expected a mapping with the port to serve gRPC health on, such as {port: 9090}",
    }).optional(),
  }, SECTION).prefault({}),
  cache: z.strictObject({
    ttl: duration({ min: 0 }).prefault("30s"),
    mode: z.enum(["on-demand", "background"], { error: "expected on-demand or background" })
      .prefault("on-demand"),
  }, SECTION).prefault({}),
  pool: z.strictObject({
    size: intRange(1, 1024).prefault(4),
  }, SECTION).prefault({}),
  defaults: z.strictObject({
    timeout: duration({ min: 1 }).prefault("5s"),
    critical: bool.prefault(true),
    groups: groupList.prefault(["ready"]),
    failureThreshold: threshold.prefault(1),
    successThreshold: threshold.prefault(1),
  }, SECTION).prefault({}),
  checks: z.array(check, { error: "expected a list of checks" })
    // Unique names are checked by the loader, which sees even invalid checks.
    .min(1, { error: "expected at least one check" }),
}, { error: "expected a mapping with a checks list" }).refine(
  (config) => config.cache.mode !== "background" || config.cache.ttl > 0,
  {
    error: "background mode re-runs checks every ttl: expected a ttl above 0",
    path: ["cache", "ttl"],
  },
).superRefine(responseTimeLimits);

/** The config as validated, before `defaults` are applied to each check. */
export type RawConfig = z.output<typeof configSchema>;

/**
 * The JSON Schema (draft 2020-12) of the config file, for editors and CI linting:
 * zod's, made valid for strict validators and allowing `${VAR}` wherever the
 * loader does (see _json_schema.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configJsonSchema } from "./schema.ts";
 * const schema = configJsonSchema();
 * assert.equal(schema.$id, "urn:vitals:config-schema");
 * assert.deepEqual(schema.required, ["checks"]);
 * ```
 */
export function configJsonSchema(): Record<string, unknown> {
  return publishedSchema(
    {
      ...z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }),
      // Top-level `x-` keys hold YAML anchors and are ignored by the loader.
      patternProperties: { "^x-": {} },
    },
    {
      title: "vitals config",
      description: "Health checks that the vitals sidecar runs and serves at /health",
    },
  );
}
