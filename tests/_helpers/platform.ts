/**
 * The platform of the runtime running the tests, as vitals itself detects it:
 * tests start servers and run checks through it, so they exercise the
 * platform layer too.
 *
 * @module
 */

import { detectPlatform } from "../../src/platform/mod.ts";

/** The {@link detectPlatform} result for the runtime under test (Deno or Bun). */
export const platform = detectPlatform();
