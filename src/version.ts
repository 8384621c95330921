/**
 * The vitals version, shown by `--version`, in logs, in the User-Agent of
 * HTTP checks and in `/metrics` (`vitals_info`). Its one source is the
 * `version` of package.json, imported as a JSON module: `deno run`, `bun
 * run`, `bun build --compile` and `deno compile` all read or embed it, so
 * the binary needs no file beside it. The Dockerfile's version label is
 * checked against the same field (`tests/version.test.ts`).
 *
 * @module
 */

import packageJson from "../package.json" with { type: "json" };

/** The vitals release: the `version` of package.json. */
export const VERSION: string = packageJson.version;
