/**
 * Turns the JSON Schema that zod generates from the config schema into the one
 * vitals publishes (`vitals schema`, vitals.schema.json), which strict
 * validators (ajv in strict mode, draft 2020-12) and editors read as vitals does:
 *
 * - a stable `$id`, {@link SCHEMA_ID};
 * - zod's own formats (`starts_with`) dropped: the `pattern` zod writes beside
 *   each says the same in standard terms;
 * - `${VAR}` allowed wherever vitals accepts it: the loader expands references
 *   before it validates, so a number, a boolean, a word from a list or a string
 *   with a pattern may also be a string holding a reference;
 * - lists marked {@link ONE_OR_LIST} (`groups`, `expectStatus`) take one item too;
 * - mappings marked {@link OR_BOOLEAN} (a tcp check's `tls`) take `true` or `false` too;
 * - branches marked {@link LOADER_ONLY} left out;
 * - checks discriminated by `type` with `if`/`then`, so a tcp check without a
 *   port is reported as missing `port` rather than as matching no kind of check.
 *
 * The loader still checks more than the schema can: unique check names, no
 * body conditions with HEAD and a request body only with POST, status ranges
 * from low to high, `warnAfter` and `downAfter` below the timeout, a ttl above
 * 0 in background mode, the upper bound of durations written with a unit, and
 * the values references expand to.
 *
 * @module
 */

type Json = Record<string, unknown>;

/**
 * The schema's `$id`. A URN, not a URL: vitals has no web site to serve the
 * schema from, an https `$id` on a domain it does not own would invite tools to
 * fetch something else, and editors find the schema by the path in a config's
 * `yaml-language-server` line anyway. It names the config format, so it does
 * not change with releases.
 */
export const SCHEMA_ID = "urn:vitals:config-schema";

/** Marks, through zod's `.meta()`, a list that also accepts one item on its own. */
export const ONE_OR_LIST = "x-vitals-one-or-list";

/**
 * Marks, through zod's `.meta()`, a mapping that also accepts `true` or
 * `false` (which the schema's preprocessing turns into a mapping or nothing).
 */
export const OR_BOOLEAN = "x-vitals-or-boolean";

/**
 * Marks, through zod's `.meta()`, a branch of a union that only the loader
 * has: one that exists to explain a mistake (a duration written as a bare
 * number), which the published schema leaves out.
 */
export const LOADER_ONLY = "x-vitals-loader-only";

/** `${VAR}` or `${VAR:-default}`, as env_expand.ts reads them: a default holds no `${`. */
const REFERENCE = "\\$\\{[A-Za-z_][A-Za-z0-9_]*(?::-(?:[^}$]|\\$+[^}${])*\\$*)?\\}";

const DEFS: Json = {
  envValue: {
    description: "a value from the environment: ${VAR} or ${VAR:-default}",
    type: "string",
    pattern: `^${REFERENCE}$`,
  },
  envText: {
    description: "text with ${VAR} or ${VAR:-default} references, checked once they are expanded",
    type: "string",
    pattern: `(?:^|[^$])${REFERENCE}`, // `$${` is an escape, not a reference
  },
};

/** The formats of JSON Schema draft 2020-12 (section 7.3); others are dropped. */
const STANDARD_FORMATS = new Set([
  ..."date-time date time duration email idn-email hostname idn-hostname ipv4 ipv6".split(" "),
  ..."uri uri-reference iri iri-reference uuid uri-template json-pointer regex".split(" "),
  "relative-json-pointer",
]);

/** Keywords that describe a value rather than constrain it: kept on the outside of a wrapper. */
const ANNOTATIONS = ["title", "description", "default", "examples", "deprecated"];

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The schema vitals publishes, made from zod's output (which is not changed).
 *
 * @throws {Error} when zod wrote a non-standard format with no pattern beside it
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { publishedSchema, SCHEMA_ID } from "./_json_schema.ts";
 * const schema = publishedSchema({ type: "object", properties: { port: { type: "integer" } } }, {});
 * assert.equal(schema.$id, SCHEMA_ID);
 * assert.deepEqual(schema.properties, {
 *   port: { anyOf: [{ type: "integer" }, { $ref: "#/$defs/envValue" }] },
 * });
 * ```
 */
export function publishedSchema(generated: Json, head: Json): Json {
  const defs: Json = { ...DEFS };
  const { $schema, ...body } = structuredClone(generated);
  const rewritten = rewrite(body, defs, false);
  return {
    $schema: $schema ?? "https://json-schema.org/draft/2020-12/schema",
    $id: SCHEMA_ID,
    ...head,
    ...rewritten,
    $defs: { ...(isObject(rewritten.$defs) ? rewritten.$defs : {}), ...defs },
  };
}

/** Rewrites `node` and its subschemas; `alternative` is true for a branch of anyOf/oneOf. */
function rewrite(node: Json, defs: Json, alternative: boolean): Json {
  const out: Json = { ...node };
  // zod writes a union of plain types (an http check's json `equals`) as a
  // type list, which strict validators refuse: one branch per type instead.
  if (Array.isArray(out.type) && out.anyOf === undefined) {
    out.anyOf = out.type.map((type) => ({ type }));
    delete out.type;
  }
  for (const key of ["properties", "patternProperties", "$defs"]) {
    if (isObject(out[key])) {
      out[key] = Object.fromEntries(
        Object.entries(out[key]).map((
          [name, sub],
        ) => [name, isObject(sub) ? rewrite(sub, defs, false) : sub]),
      );
    }
  }
  for (const key of ["items", "additionalProperties"]) {
    if (isObject(out[key])) out[key] = rewrite(out[key], defs, false);
  }
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    if (Array.isArray(out[key])) {
      out[key] = out[key]
        .filter((sub) => !(isObject(sub) && sub[LOADER_ONLY] === true))
        .map((sub) => isObject(sub) ? rewrite(sub, defs, key !== "allOf") : sub);
    }
  }
  dropOwnFormat(out);
  const discriminated = byType(out, defs);
  if (discriminated) return discriminated;
  if (out[ONE_OR_LIST] === true) return oneOrList(out);
  if (out[OR_BOOLEAN] === true) {
    const { [OR_BOOLEAN]: _, ...mapping } = out;
    return wrap(mapping, [], [{ type: "boolean" }, { $ref: "#/$defs/envValue" }]);
  }
  if (alternative || acceptsReference(out)) return out;
  const kind = out.anyOf !== undefined || out.pattern !== undefined || out.format !== undefined
    ? "envText"
    : "envValue";
  if (Array.isArray(out.anyOf)) {
    return { ...out, anyOf: [...out.anyOf, { $ref: `#/$defs/${kind}` }] };
  }
  return wrap(out, [{ $ref: `#/$defs/${kind}` }]);
}

/** Drops a format of zod's own, such as `starts_with`, keeping the pattern that says the same. */
function dropOwnFormat(node: Json): void {
  if (typeof node.format !== "string" || STANDARD_FORMATS.has(node.format)) return;
  if (typeof node.pattern !== "string") {
    throw new Error(
      `Cannot publish the config's JSON Schema: format "${node.format}" is not standard and has no pattern`,
    );
  }
  delete node.format;
}

/**
 * Whether a scalar schema already accepts a reference, or is no place for one:
 * objects and lists, the `type` of a check (a `const`), and plain strings.
 */
function acceptsReference(node: Json): boolean {
  if (node.const !== undefined || node.$ref !== undefined) return true;
  if (Array.isArray(node.anyOf)) {
    return node.anyOf.some((branch) => isObject(branch) && acceptsReference(branch));
  }
  if (node.type === "integer" || node.type === "number" || node.type === "boolean") return false;
  if (node.type !== "string") return true;
  if (node.enum !== undefined || node.format !== undefined) return false;
  return typeof node.pattern !== "string" || new RegExp(node.pattern, "u").test("${VAR}");
}

/** `{anyOf: [...before, node, ...after]}`, the node's annotations (default...) outside. */
function wrap(node: Json, after: unknown[], before: unknown[] = []): Json {
  const entries = Object.entries(node);
  return {
    ...Object.fromEntries(entries.filter(([key]) => ANNOTATIONS.includes(key))),
    anyOf: [
      ...before,
      Object.fromEntries(entries.filter(([key]) => !ANNOTATIONS.includes(key))),
      ...after,
    ],
  };
}

/** A list marked {@link ONE_OR_LIST}: one item, or the list. */
function oneOrList(node: Json): Json {
  const { [ONE_OR_LIST]: _, ...list } = node;
  const item = list.items as Json;
  return wrap(
    list,
    [],
    Object.keys(item).length === 1 && Array.isArray(item.anyOf) ? item.anyOf : [item],
  );
}

/**
 * A `oneOf` of objects that each have a `type` const becomes `if`/`then` per
 * kind, each kind a `$defs` entry: a validator then reports only the errors of
 * the kind the `type` names. `undefined` for any other schema.
 */
function byType(node: Json, defs: Json): Json | undefined {
  const branches = node.oneOf;
  if (!Array.isArray(branches) || branches.length === 0) return undefined;
  const kinds = branches.map((branch) =>
    isObject(branch) && isObject(branch.properties) && isObject(branch.properties.type)
      ? branch.properties.type.const
      : undefined
  );
  if (!kinds.every((kind): kind is string => typeof kind === "string")) return undefined;
  const { oneOf: _, ...rest } = node;
  kinds.forEach((kind, index) => defs[`${kind}Check`] = branches[index]);
  return {
    ...rest,
    type: "object",
    required: ["type"],
    properties: { type: { enum: kinds } },
    allOf: kinds.map((kind) => ({
      if: { properties: { type: { const: kind } }, required: ["type"] },
      then: { $ref: `#/$defs/${kind}Check` },
    })),
  };
}
