/**
 * The size limit on a config file, in a module of its own so the reloader can
 * read a file without importing the YAML parser and the validator, which the
 * config worker keeps out of the main thread (BENCHMARKS.md, "Idle memory").
 *
 * @module
 */

/** The largest config file read (1 MiB); a config is a few kilobytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
