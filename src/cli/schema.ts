/**
 * `vitals schema`: prints the config's JSON Schema, for editors and CI.
 *
 * @module
 */

import { configJsonSchema } from "../config/schema.ts";

/**
 * Prints the JSON Schema and returns 0.
 *
 * @example
 * ```ts ignore
 * schemaCommand(); // prints {"$schema": "https://json-schema.org/draft/2020-12/schema", ...}
 * ```
 */
export function schemaCommand(): number {
  console.log(JSON.stringify(configJsonSchema(), null, 2));
  return 0;
}
