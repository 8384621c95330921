/**
 * What every property test (fast-check) shares: a fixed seed, so a failure
 * reproduces; fast-check prints the seed and the shrunk counterexample.
 *
 * @module
 */

/** The fixed seed of every property test, so a failure reproduces. */
export const SEED = 20261121;
