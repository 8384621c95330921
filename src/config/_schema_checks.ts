/**
 * The config schema of one check: the keys every check has, and one strict
 * mapping per `type` (command, tcp, http, tabbyapi, file, grpc, llm), told
 * apart by `type`.
 *
 * @module
 */

import { z } from "zod";
import {
  bool,
  CHECK_NAME_PATTERN,
  duration,
  groupList,
  HEADER_VALUE,
  headerMap,
  httpUrl,
  intRange,
  nonEmpty,
  stringMap,
  text,
  threshold,
  wholeNumber,
} from "./_schema_values.ts";
import { certificateWindow, httpsKeys, httpsOnly, tcpTls } from "./_schema_tls.ts";
import {
  LLM_SERVERS,
  llmGenerate,
  llmGenerateProblems,
  MODEL_REQUIRED,
  modelName,
} from "./_schema_llm.ts";
import { llmStallKeys, llmStallProblems } from "./_schema_llm_stall.ts";
import { bodyPattern, jsonCondition, statusList } from "./_schema_response.ts";

/** The keys every kind of check has; `defaults` fills in those left out. */
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
  /** Read the exit code and output as a Nagios plugin's (0 UP, 1 WARN, 2 and 3 DOWN). */
  nagios: bool.prefault(false),
});

const tcpCheck = z.strictObject({
  ...common,
  type: z.literal("tcp"),
  host: nonEmpty("a host name or IP address").prefault("127.0.0.1"),
  port: intRange(1, 65535),
  tls: tcpTls,
  certificate: certificateWindow.optional(),
}).refine((check) => check.certificate === undefined || check.tls !== undefined, {
  error: "the certificate is read in a TLS handshake: set tls too (tls: true)",
  path: ["certificate"],
});

/** Keys that need a response body, which a HEAD response has not. */
const BODY_KEYS = ["bodyContains", "bodyMatches", "json"] as const;

const httpCheck = z.strictObject({
  ...common,
  type: z.literal("http"),
  url: httpUrl,
  ...httpsKeys,
  method: z.enum(["GET", "HEAD", "POST"]).prefault("GET"),
  headers: headerMap.optional(),
  /** The request body, sent with POST (a secret: never shown). */
  body: text().optional(),
  expectStatus: statusList.optional(),
  bodyContains: nonEmpty().optional(),
  bodyMatches: bodyPattern.optional(),
  json: z.array(jsonCondition, {
    error: "expected a list of conditions such as [{path: $.status, equals: ok}]",
  }).min(1, { error: "expected at least one condition" }).optional(),
  warnAfter: duration({ min: 1 }).optional(),
  downAfter: duration({ min: 1 }).optional(),
}).superRefine((check, context) => {
  if (check.method === "HEAD") {
    for (const key of BODY_KEYS.filter((key) => check[key] !== undefined)) {
      context.addIssue({
        code: "custom",
        path: [key],
        message: `a HEAD response has no body: use method GET or POST with ${key}`,
      });
    }
  }
  if (check.body !== undefined && check.method !== "POST") {
    context.addIssue({
      code: "custom",
      path: ["body"],
      message: `a request body is sent only with method POST, and method is ${check.method}`,
    });
  }
}).superRefine(httpsOnly);

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
  ...httpsKeys,
}).superRefine(httpsOnly);

const llmCheck = z.strictObject({
  ...common,
  type: z.literal("llm"),
  /** One llm check serves all three probes (per-group verdicts). */
  groups: groupList.prefault(["started", "ready", "live"]),
  server: z.enum(LLM_SERVERS, {
    error: `expected one of ${LLM_SERVERS.map((name) => `"${name}"`).join(", ")}`,
  }),
  url: httpUrl,
  model: modelName.optional(),
  apiKey: z.string({ error: "expected a string" }).regex(HEADER_VALUE, {
    error: "expected a key without line breaks or control characters",
  }).optional(),
  headers: headerMap.optional(),
  /** The deep probe: on unless `false`. */
  generate: llmGenerate.prefault({}),
  ...llmStallKeys,
  ...httpsKeys,
}).superRefine((check, context) => {
  llmGenerateProblems(check, context);
  llmStallProblems(check, context);
  if (check.model === undefined && MODEL_REQUIRED.has(check.server)) {
    context.addIssue({
      code: "custom",
      path: ["model"],
      message: `server ${check.server} needs the model's name: set model`,
    });
  }
}).superRefine(httpsOnly);

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

/** Request headers gRPC and HTTP/2 keep for themselves; metadata may not set them. */
const RESERVED_METADATA =
  /^(?:grpc-.*|content-type|te|host|connection|keep-alive|proxy-connection|transfer-encoding|upgrade)$/i;

const grpcCheck = z.strictObject({
  ...common,
  type: z.literal("grpc"),
  host: nonEmpty("a host name or IP address").prefault("127.0.0.1"),
  port: intRange(1, 65535),
  /** The grpc.health.v1 service name asked about; "" is the server as a whole. */
  service: text().prefault(""),
  tls: tcpTls,
  metadata: headerMap.refine(
    (map) => !Object.keys(map).some((name) => RESERVED_METADATA.test(name)),
    "expected metadata names other than grpc-*, content-type, te, host and connection headers",
  ).optional(),
});

/** A check of any kind, told apart by its `type`. */
export const check = z.discriminatedUnion("type", [
  commandCheck,
  tcpCheck,
  httpCheck,
  tabbyCheck,
  fileCheck,
  grpcCheck,
  llmCheck,
]);
