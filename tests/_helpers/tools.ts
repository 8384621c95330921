/**
 * Whether a program a test needs (openssl, python3, nginx, promtool, ...) is
 * installed: a test that needs a missing one skips and says why, with how
 * `.ci/run` installs it, so a skip is never silent.
 *
 * @module
 */

import { spawnSync } from "node:child_process";

/**
 * `false` when `program args` runs and exits 0; otherwise why the tests of
 * `what` cannot run (printed, with `hint` on how to install it, if given).
 */
export function missingTool(
  what: string,
  program: string,
  args: string[],
  hint?: string,
): string | false {
  const ran = spawnSync(program, args, { encoding: "utf8" });
  if (!ran.error && ran.status === 0) return false;
  const reason = `${program} is not installed (${ran.error?.message ?? `exit ${ran.status}`})` +
    (hint === undefined ? "" : `; ${hint}`);
  console.log(`skipping ${what}: ${reason}`);
  return reason;
}
