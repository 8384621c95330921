/**
 * Fuzzing the HTTP handler (src/http/handler.ts) of a real app, called without
 * a socket: random paths, queries, fragments, methods, headers and bodies, with
 * and without access tokens, must each get a documented status and a
 * well-formed body, never a 500 or a throw.
 *
 * The property runs a bounded number of times from a fixed seed, so a failure
 * reproduces; fast-check prints the seed and the shrunk counterexample.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { App } from "../../src/app/create_app.ts";
import { METRICS_CONTENT_TYPE } from "../../src/http/metrics.ts";
import { createTestApp } from "../_helpers/apps.ts";
import { SEED } from "../_helpers/fuzz.ts";

/** Path segments that routers and URL parsers treat specially. */
const SEGMENTS = [
  ..."health simple live ready started Health . .. %2e%2e %2F %00 %ZZ % ? # ; \\ %5C ~".split(" "),
  ..."é %C3%A9 😀 %20 // simple?x health#x * @ :".split(" "),
  ...["", "\u0000", "\t", " ", "a".repeat(300)],
];

const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SEGMENTS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 6 }).map((bytes) =>
      [...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("")
    ),
  },
);

const ROUTES = [
  ..."/health /health/simple /health/live /health/live/simple /health/ready".split(" "),
  ..."/health/ready/ /health/ready/simple /health/started /health/started/simple".split(" "),
  ..."/metrics /metrics/".split(" "),
];

const path = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ROUTES) },
  { weight: 1, arbitrary: fc.webPath() },
  {
    weight: 2,
    arbitrary: fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join("/")}`),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 50 }), fc.constantFrom(...ROUTES, ""))
      .map(([slashes, rest]) => "/".repeat(slashes) + rest),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => `/health/${"x".repeat(n)}`),
  },
);

const QUERIES = [
  ..."?simple ?simple=0 ?&&simple& ?simple#frag ?%00 ?xformat=1 ?format= ?format=xml".split(" "),
  ..."?format=json ?format=text ?format=microprofile ?format=health%2Bjson".split(" "),
  ..."?format=health+json ?format=json&format=text ?simple&format=text".split(" "),
  "?" + "a=1&".repeat(500),
];

const query = fc.oneof(
  fc.constant(""),
  fc.webQueryParameters().map((q) => `?${q}`),
  fc.string({ maxLength: 20 }).map((q) => `?${q}`),
  fc.constantFrom(...QUERIES),
);

const method = fc.oneof(
  fc.constantFrom(
    ..."GET HEAD POST PUT DELETE PATCH OPTIONS get head post patch Get PROPFIND M-SEARCH BREW X QUERY"
      .split(" "),
  ),
  fc.string({
    unit: fc.constantFrom(..."!#$%&'*+-.^_`|~0123456789ABCXYZabcxyz"),
    minLength: 1,
    maxLength: 12,
  }),
);

const headerName = fc.oneof(
  fc.constantFrom(
    ..."accept accept authorization user-agent content-type content-length transfer-encoding"
      .split(" "),
    ..."connection host x-forwarded-for cookie range if-none-match expect upgrade".split(" "),
  ),
  fc.string({
    unit: fc.constantFrom(..."!#$%&'*+-.^_`|~0123456789abcdefxyz"),
    minLength: 1,
    maxLength: 20,
  }),
);

const HEADER_VALUES = [
  ...["", " ", "0", "-1", "chunked", "close", "100-continue", "websocket", "*/*"],
  ...["text/plain", "application/health+json", "application/json;q=0.1, text/plain;q=0.9"],
  ...["text/plain;q=abc", "application/health+json;q=-1", "Bearer s3cret", "Bearer wrong"],
  ...["Bearer ", "bearer s3cret", "Basic dXNlcjpwYXNz", "x".repeat(8000)],
];

const headerValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code)),
      maxLength: 6,
    }),
  },
  { weight: 4, arbitrary: fc.constantFrom(...HEADER_VALUES) },
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => new Uint8Array(bytes)),
  fc.constant("x".repeat(100_000)),
);

/** Builds the Request, or `undefined` when the Request constructor itself rejects the input. */
function buildRequest(
  url: string,
  init: {
    method: string;
    headers: [string, string][];
    body: string | Uint8Array<ArrayBuffer> | undefined;
  },
): Request | undefined {
  try {
    const withBody = init.body !== undefined && !/^(GET|HEAD)$/i.test(init.method);
    return new Request(url, {
      method: init.method,
      headers: init.headers,
      ...(withBody && init.body !== undefined ? { body: init.body } : {}),
    });
  } catch {
    return undefined;
  }
}

const CONTENT_TYPES = new Set([
  "application/json",
  "application/health+json",
  "text/plain; charset=utf-8",
  METRICS_CONTENT_TYPE,
]);

/**
 * Asserts the handler's contract for one request to an app whose only check is
 * UP: a documented status (401 only where a token is configured), never 500,
 * never the internal-error path, a known content type, and a JSON body for JSON
 * types (HEAD: no body, with the length GET would have).
 */
async function assertClearAnswer(app: App, request: Request, tokens: boolean): Promise<void> {
  const label = `${request.method} ${request.url.slice(0, 200)}`;
  const response = await app.handler(request);
  const allowed = [200, 400, 404, 405, 413, ...(tokens ? [401] : [])];
  const text = await response.text();
  assert.ok(allowed.includes(response.status), `status ${response.status} for ${label}: ${text}`);
  const type = response.headers.get("content-type") ?? "";
  assert.ok(CONTENT_TYPES.has(type), `content-type ${type} for ${label}`);
  if (request.method === "HEAD") {
    assert.equal(text, "");
    assert.match(response.headers.get("content-length") ?? "", /^\d+$/);
    return;
  }
  if (type.includes("json")) {
    const parsed: unknown = JSON.parse(text);
    assert.ok(parsed !== null && typeof parsed === "object", text);
  } else {
    assert.ok(text.length > 0, `a ${type} body for ${label}`);
  }
  if (response.status === 405) assert.equal(response.headers.get("allow"), "GET, HEAD");
}

test("the handler answers any request with a documented status and a well-formed body, never 500 or a throw", async () => {
  const open = createTestApp();
  const guarded = createTestApp(
    "server: {detailsToken: s3cret, metricsToken: s3cret}\n",
  );
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        path,
        query,
        fc.oneof(fc.constant(""), fc.webFragments().map((f) => `#${f}`)),
        method,
        fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }),
        body,
        async (tokens, path, query, fragment, method, headers, body) => {
          const request = buildRequest(`http://127.0.0.1:8080${path}${query}${fragment}`, {
            method,
            headers,
            body,
          });
          fc.pre(request !== undefined);
          await assertClearAnswer(tokens ? guarded : open, request, tokens);
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  } finally {
    open.health.close();
    guarded.health.close();
  }
});

test("a malformed escape in ?format= answers 400, not an internal-error 503", async () => {
  const app = createTestApp();
  try {
    for (const query of ["?format=%ZZ", "?format=%", "?format=%E0%A4%A"]) {
      const response = await app.handler(
        new Request(`http://127.0.0.1:8080/health${query}`),
      );
      assert.equal(response.status, 400, `${query}: ${await response.clone().text()}`);
      await assertClearAnswer(app, new Request(`http://127.0.0.1:8080/health${query}`), false);
    }
  } finally {
    app.health.close();
  }
});
