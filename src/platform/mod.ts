/**
 * Picks the {@link Platform} for the runtime vitals is running on.
 *
 * @module
 */

import { bunPlatform } from "./bun.ts";
import { denoPlatform } from "./deno.ts";
import type { Platform } from "./platform.ts";

export * from "./platform.ts";
export * from "./platform_error.ts";

let current: Platform | undefined;

/**
 * Returns the platform for the current runtime, created once.
 *
 * @example
 * ```ts
 * const platform = detectPlatform();
 * console.log(platform.runtime); // "deno" or "bun"
 * ```
 */
export function detectPlatform(): Platform {
  if (current) return current;
  if ("Bun" in globalThis) current = bunPlatform();
  else if ("Deno" in globalThis) current = denoPlatform();
  else throw new Error("Cannot start vitals: it runs on Deno or Bun, and found neither");
  return current;
}
