/**
 * The one-shot baseline for `vitals check`: a compiled Bun program that prints
 * a constant one-line status and exits 0, so the comparison isolates what vitals
 * adds (config load, checks, report) over starting the runtime at all.
 *
 * @module
 */

console.log('{"status":"UP"}');
