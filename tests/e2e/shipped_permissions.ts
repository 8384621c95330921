/**
 * The Deno permissions vitals ships with, read from where the image takes
 * them: the flags of deno.json's `compile` task (the Dockerfile runs
 * `deno task compile`). Shared by tests/e2e/deno_permissions.test.ts, which
 * runs vitals with them, and tests/dockerfile.test.ts, which checks that the
 * image is built with them.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { ROOT } from "../_helpers/files.ts";

/** deno.json's tasks, by name. */
export function denoTasks(): Record<string, string> {
  return JSON.parse(readFileSync(`${ROOT}deno.json`, "utf8")).tasks as Record<string, string>;
}

/** The `--allow-*` and `--deny-*` flags of a command line. */
export function permissionFlags(command: string): string[] {
  return command.split(/\s+/).filter((word) => /^--(allow|deny)-/.test(word));
}

/** The permission flags of deno.json's `compile` task: what the image is built with. */
export function shippedPermissions(): string[] {
  return permissionFlags(denoTasks()["compile"] ?? "");
}
