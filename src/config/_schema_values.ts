/**
 * The config schema's building blocks: durations, numbers and booleans that
 * may arrive as `${VAR}` text, strings, HTTP header maps, tokens, URLs, check
 * names and groups, each with an error text written for people.
 *
 * @module
 */

import { z } from "zod";
import { GROUPS } from "../types.ts";
import {
  DAYS_DURATION_PATTERN,
  DURATION_PATTERN,
  durationProblem,
  parseDuration,
} from "./duration.ts";
import { LOADER_ONLY, ONE_OR_LIST } from "./_json_schema.ts";
import { BCRYPT_PREFIX, looksHashed, TOKEN_HASH_PATTERN } from "../token_hash.ts";

/** Timers hold at most 2^31-1 ms (about 24.8 days); longer ones fire at once. */
export const MAX_DURATION_MS = 2_147_483_647;

/**
 * The longest certificate window (`warnBefore`, `downBefore`): 3650 days. No
 * timer waits that long; the window is compared with a certificate's expiry.
 */
export const MAX_CERTIFICATE_WINDOW_MS = 3650 * 86_400_000;

/**
 * A duration in the config; parses to whole milliseconds. Text is written
 * with units (`5s`, `1m30s`); the only bare number is `0`, as a number or as
 * text. Any other number, or text that is one (`${VAR}` set to `5`), is told
 * both ways to read it (`expected a duration with a unit: write 5s or 5ms`),
 * other text what is wrong with it (durationProblem); anything else, or out of
 * bounds, gets the hint with the bounds. With `days`, for certificate windows
 * only: `d` is a unit too, and the bound is {@link MAX_CERTIFICATE_WINDOW_MS}.
 *
 * The JSON Schema publishes the text branch and, where 0 is in bounds, the
 * number 0; the loader's number branch is there to explain other numbers.
 */
export function duration(options: { min: number; days?: boolean }) {
  const { days = false } = options;
  const max = days ? MAX_CERTIFICATE_WINDOW_MS : MAX_DURATION_MS;
  const bounds = `${options.min > 0 ? "above 0" : "0 or more"} and at most ${
    days ? "3650" : "24"
  } days`;
  const hint = `${
    days
      ? "expected a duration such as 14d, 36h, 1d12h or 30m"
      : "expected a duration such as 250ms, 5s, 1m30s or 1h"
  }, ${bounds}`;
  const problem = (input: unknown) =>
    (typeof input === "string" || typeof input === "number"
      ? durationProblem(input, { days })
      : undefined) ?? hint;
  const number = z.number({ error: hint }).refine((value) => value === 0, {
    error: (issue) => problem(issue.input),
  });
  return z.union([
    // Published as the one number it takes, or not at all when 0 is out of bounds.
    number.meta(options.min > 0 ? { [LOADER_ONLY]: true } : { type: "integer", enum: [0] }),
    z.string({ error: hint }).regex(days ? DAYS_DURATION_PATTERN : DURATION_PATTERN, {
      error: (issue) => problem(issue.input),
    }),
  ], { error: hint })
    .transform((value, context) => {
      const ms = parseDuration(value, { days });
      if (ms !== undefined && ms >= options.min && ms <= max) return ms;
      // Text such as "0s" or "600h": out of bounds once read, shown as written.
      context.issues.push({
        code: "custom",
        input: value,
        message: `${hint}, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    })
    .meta({
      description: `a duration: ${
        days
          ? "numbers each with a unit (ms, s, m, h or d, a day of 24 hours) such as 14d, 36h or 1d12h"
          : "numbers each with a unit (ms, s, m or h) such as 250ms, 1.5s, 1m30s or 1h 30m"
      }${options.min > 0 ? "" : ", or 0"}; ${bounds}`,
    });
}

/** Reads `"8080"` as 8080, so `${PORT}` works where a number is expected. */
export function wholeNumber(value: unknown): unknown {
  return typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
}

/** Reads `"true"`/`"false"` as booleans, so `${FLAG}` works where a boolean is expected. */
export function booleanText(value: unknown): unknown {
  if (value === "true") return true;
  if (value === "false") return false;
  return value;
}

/** An integer from `min` to `max`, also when written as text (`${VAR}`). */
export function intRange(min: number, max: number) {
  const hint = `expected an integer from ${min} to ${max}`;
  return z.preprocess(
    wholeNumber,
    z.int({ error: hint }).min(min, { error: hint }).max(max, { error: hint }),
  );
}

/** `true` or `false`, also as text. */
export const bool = z.preprocess(booleanText, z.boolean({ error: "expected true or false" }));
/** Any string; the error names `what` was expected. */
export const text = (what = "a string") => z.string({ error: `expected ${what}` });
/** A string of one character or more; the error names `what` was expected. */
export const nonEmpty = (what = "a non-empty string") =>
  z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
/** A mapping of names to strings (a command's `env`). */
export const stringMap = z.record(
  z.string(),
  text(),
  { error: "expected a mapping of names to string values" },
);

/** An HTTP field name: a token (RFC 9110 section 5.1). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** An HTTP field value: visible characters, spaces and tabs, no line breaks (RFC 9110 section 5.5). */
export const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** A mapping of HTTP header names to values (`headers`, gRPC `metadata`). */
export const headerMap = z.record(
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
 * A value starting with `sha256:` (any case) is the token's hash and must be
 * 64 hex digits after it; a bcrypt hash (`$2b$...`) is refused (src/token_hash.ts).
 */
export const token = z.string({ error: "expected a string" }).regex(/^[\x21-\x7e]*$/, {
  error: "expected a token of visible ASCII characters without spaces",
  abort: true,
}).refine((value) => !looksHashed(value) || TOKEN_HASH_PATTERN.test(value), {
  error: (issue) =>
    BCRYPT_PREFIX.test(String(issue.input))
      ? 'expected a token or "sha256:" and 64 hex digits: bcrypt hashes are not accepted'
      : 'expected "sha256:" and 64 hex digits, as vitals hash-token prints them',
});

/** An http:// or https:// URL. */
export const httpUrl = z.url({
  protocol: /^https?$/,
  error: "expected an http:// or https:// URL",
}).meta({ pattern: "^[Hh][Tt][Tt][Pp][Ss]?://" }); // the protocol, for the JSON Schema

/** Check names: used in URLs, metrics labels and logs, so kept plain. */
export const CHECK_NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

/** A check's `groups`: one group or a list of them. */
export const groupList = z.preprocess(
  (value) => typeof value === "string" ? [value] : value,
  z.array(z.enum(GROUPS, { error: "expected live, ready or started" }), {
    error: "expected a list of groups: live, ready, started",
  }),
).meta({ [ONE_OR_LIST]: true });

/** A `failureThreshold` or `successThreshold`: 1 to 1000 results in a row. */
export const threshold = intRange(1, 1000);
