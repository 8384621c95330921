/**
 * The vitals version, shown by `--version`, in logs and in the User-Agent of
 * HTTP checks.
 *
 * @module
 */

/** The vitals release. */
export const VERSION = "0.1.0";
