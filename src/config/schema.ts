/**
 * The config's shape, section defaults and validation, as one zod schema.
 *
 * The same schema validates files at load time and generates the JSON Schema
 * that editors use ({@link configJsonSchema}). Error texts are written for
 * people: the loader appends the value it got.
 *
 * @module
 */

import { z } from "zod";
import { GROUPS } from "../types.ts";
import { DURATION_PATTERN, durationProblem, parseDuration } from "./duration.ts";
import { ONE_OR_LIST, publishedSchema } from "./_json_schema.ts";

const DURATION_HINT = "expected a duration such as 250ms, 5s, 1m30s or 1h, or whole milliseconds";
/** Timers hold at most 2^31-1 ms (about 24.8 days); longer ones fire at once. */
export const MAX_DURATION_MS = 2_147_483_647;

/**
 * A duration in the config; parses to whole milliseconds. Text that is not a
 * duration is told what is wrong with it (durationProblem); anything else, or
 * out of bounds, gets the hint with the bounds.
 */
function duration(options: { min: number }) {
  const bounds = `${options.min > 0 ? "above 0" : "0 or more"} and at most 24 days`;
  const hint = `${DURATION_HINT}, ${bounds}`;
  return z.union([
    z.int({ error: hint }).min(options.min, { error: hint }).max(MAX_DURATION_MS, { error: hint }),
    z.string({ error: hint }).regex(DURATION_PATTERN, {
      error: (issue) =>
        (typeof issue.input === "string" ? durationProblem(issue.input) : undefined) ?? hint,
    }),
  ], { error: hint })
    .transform((value, context) => {
      const ms = parseDuration(value);
      if (ms !== undefined && ms >= options.min && ms <= MAX_DURATION_MS) return ms;
      // Text such as "0s" or "600h": out of bounds once read, shown as written.
      context.issues.push({
        code: "custom",
        input: value,
        message: `${hint}, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    })
    .meta({
      description: "a duration: whole milliseconds (1500), or numbers each with a unit " +
        `(ms, s, m or h) such as 250ms, 1.5s, 1m30s or 1h 30m; ${bounds}`,
    });
}

/** Reads `"8080"` as 8080, so `${PORT}` works where a number is expected. */
function wholeNumber(value: unknown): unknown {
  return typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
}

/** Reads `"true"`/`"false"` as booleans, so `${FLAG}` works where a boolean is expected. */
function booleanText(value: unknown): unknown {
  if (value === "true") return true;
  if (value === "false") return false;
  return value;
}

function intRange(min: number, max: number) {
  const hint = `expected an integer from ${min} to ${max}`;
  return z.preprocess(
    wholeNumber,
    z.int({ error: hint }).min(min, { error: hint }).max(max, { error: hint }),
  );
}

const bool = z.preprocess(booleanText, z.boolean({ error: "expected true or false" }));
const text = (what = "a string") => z.string({ error: `expected ${what}` });
const nonEmpty = (what = "a non-empty string") =>
  z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
const stringMap = z.record(
  z.string(),
  text(),
  { error: "expected a mapping of names to string values" },
);

/** An HTTP field name: a token (RFC 9110 section 5.1). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** An HTTP field value: visible characters, spaces and tabs, no line breaks (RFC 9110 section 5.5). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const headerMap = z.record(
  z.string().regex(HEADER_NAME, {
    error: "expected a header name of letters, digits and !#$%&'*+-.^_`|~ (no spaces or colons)",
  }),
  z.string({ error: "expected a string" }).regex(HEADER_VALUE, {
    error: "expected a header value without line breaks or control characters",
  }),
  { error: "expected a mapping of header names to string values" },
);

/**
 * A bearer token: visible ASCII without spaces, as the Authorization header
 * carries it; empty means unset, so `${VITALS_DETAILS_TOKEN:-}` turns it off.
 */
const token = z.string({ error: "expected a string" }).regex(/^[\x21-\x7e]*$/, {
  error: "expected a token of visible ASCII characters without spaces",
});
const httpUrl = z.url({
  protocol: /^https?$/,
  error: "expected an http:// or https:// URL",
}).meta({ pattern: "^[Hh][Tt][Tt][Pp][Ss]?://" }); // the protocol, for the JSON Schema

/** Check names: used in URLs, metrics labels and logs, so kept plain. */
export const CHECK_NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

const groupList = z.preprocess(
  (value) => typeof value === "string" ? [value] : value,
  z.array(z.enum(GROUPS, { error: "expected live, ready or started" }), {
    error: "expected a list of groups: live, ready, started",
  }),
).meta({ [ONE_OR_LIST]: true });

const threshold = intRange(1, 1000);

const common = {
  name: z.string({ error: "expected a check name" }).regex(CHECK_NAME_PATTERN, {
    error: 'expected a name of letters, digits, ".", "_" or "-"',
  }),
  timeout: duration({ min: 1 }).optional(),
  critical: bool.optional(),
  groups: groupList.optional(),
  interval: duration({ min: 1 }).optional(),
  failureThreshold: threshold.optional(),
  successThreshold: threshold.optional(),
};

const commandCheck = z.strictObject({
  ...common,
  type: z.literal("command"),
  command: z.array(text(), {
    error: 'expected a list of program and arguments, such as ["pgrep", "-x", "myapp"]',
  }).min(1, { error: "expected at least the program to run" }),
  cwd: nonEmpty("a directory path").optional(),
  env: stringMap.optional(),
});

const tcpCheck = z.strictObject({
  ...common,
  type: z.literal("tcp"),
  host: nonEmpty("a host name or IP address").prefault("127.0.0.1"),
  port: intRange(1, 65535),
});

const statusList = z.preprocess(
  (value) => (typeof value === "number" || typeof value === "string") ? [value] : value,
  z.array(intRange(100, 599), { error: "expected a list of HTTP status codes" })
    .min(1, { error: "expected at least one HTTP status code" }),
).meta({ [ONE_OR_LIST]: true });

const httpCheck = z.strictObject({
  ...common,
  type: z.literal("http"),
  url: httpUrl,
  method: z.enum(["GET", "HEAD"]).prefault("GET"),
  headers: headerMap.optional(),
  expectStatus: statusList.optional(),
  bodyContains: nonEmpty().optional(),
}).refine((check) => !(check.method === "HEAD" && check.bodyContains !== undefined), {
  error: "a HEAD response has no body: use method GET with bodyContains",
  path: ["bodyContains"],
});

const tabbyCheck = z.strictObject({
  ...common,
  type: z.literal("tabbyapi"),
  url: httpUrl,
  path: z.string({ error: 'expected a path starting with "/"' })
    .startsWith("/", { error: 'expected a path starting with "/"' })
    .prefault("/health"),
  apiKey: z.string({ error: "expected a string" }).regex(HEADER_VALUE, {
    error: "expected a key without line breaks or control characters",
  }).optional(),
  requireModel: bool.prefault(false),
});

const fileCheck = z.strictObject({
  ...common,
  type: z.literal("file"),
  path: nonEmpty("a file path"),
  maxAge: duration({ min: 1 }).optional(),
  minSize: z.preprocess(
    wholeNumber,
    z.int({ error: "expected a size in bytes: an integer 0 or more" })
      .min(0, { error: "expected a size in bytes: an integer 0 or more" }),
  ).optional(),
});

const check = z.discriminatedUnion("type", [
  commandCheck,
  tcpCheck,
  httpCheck,
  tabbyCheck,
  fileCheck,
]);

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
);

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
