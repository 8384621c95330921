// The config's JSON Schema (src/config/schema.ts): what configJsonSchema
// describes, that the committed vitals.schema.json is what vitals generates,
// and that config.example.yaml points editors at it.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { configJsonSchema } from "../src/config/schema.ts";
import { ROOT } from "./helpers.ts";

test("configJsonSchema describes a strict top-level object that requires checks", () => {
  const schema = configJsonSchema();
  assert.equal(typeof schema.$schema, "string");
  assert.match(String(schema.$schema), /json-schema\.org/);
  assert.equal(schema.type, "object");
  assert.equal(schema.additionalProperties, false);
  assert.ok(Array.isArray(schema.required), "required is a list");
  assert.ok((schema.required as unknown[]).includes("checks"));
  assert.ok(
    !(schema.required as unknown[]).includes("server"),
    "sections with defaults are optional",
  );
  const properties = schema.properties as Record<string, unknown>;
  assert.deepEqual(
    Object.keys(properties).sort(),
    ["cache", "checks", "defaults", "pool", "server"],
  );
  assert.equal(schema.title, "vitals config");
  assert.doesNotThrow(() => JSON.stringify(schema), "the schema is plain JSON");
});

test("the committed vitals.schema.json equals the schema vitals generates", async () => {
  const committed = JSON.parse(await readFile(`${ROOT}/vitals.schema.json`, "utf8"));
  assert.deepEqual(committed, configJsonSchema(), "run: vitals schema > vitals.schema.json");
});

test("config.example.yaml points editors at the committed schema", async () => {
  const example = await readFile(`${ROOT}/config.example.yaml`, "utf8");
  assert.equal(example.split("\n")[0], "# yaml-language-server: $schema=./vitals.schema.json");
});
