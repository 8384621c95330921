/**
 * What one token check costs in the process, on the runtime running it:
 * `deno run -A bench/token_primitives.ts` and `bun bench/token_primitives.ts`.
 * Times `tokenMatches` against a plain token and against its hash, the
 * SHA-256 vitals uses (`@noble/hashes`), and Web Crypto's
 * `crypto.subtle.digest` awaited one call after another, as a request would
 * (wall and CPU time: on Deno the digest runs on another thread). Three
 * rounds; prints one line per figure and round. BENCHMARKS.md, "Token checks".
 *
 * @module
 */

import process from "node:process";
import { tokenMatches } from "../src/http/token.ts";
import { hashToken, tokenDigest } from "../src/token_hash.ts";

const TOKEN = "fQ3Vb8t_Xk9-0LrZs4yWm2NcE7hJpA1uGdT6iOqY5e";
const HASH = hashToken(TOKEN);
const HEADER = `Bearer ${TOKEN}`;
const runtime = "Bun" in globalThis ? "bun" : "deno";
const encoder = new TextEncoder();

/** Runs `body` `n` times; prints µs per call, wall and CPU. */
async function time(name: string, n: number, body: () => unknown): Promise<void> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const result = body();
    if (result instanceof Promise) await result;
  }
  const wall = ((performance.now() - start) * 1000) / n;
  const used = process.cpuUsage(cpu);
  const cpuPerCall = (used.user + used.system) / n;
  console.log(
    `${runtime} ${name}: ${wall.toFixed(2)} µs wall, ${cpuPerCall.toFixed(2)} µs CPU per call`,
  );
}

for (let round = 1; round <= 3; round++) {
  console.log(`round ${round}`);
  await time("tokenMatches, plain token", 200_000, () => tokenMatches(HEADER, TOKEN));
  await time("tokenMatches, sha256: hash", 200_000, () => tokenMatches(HEADER, HASH));
  await time("SHA-256 of the token (@noble/hashes)", 200_000, () => tokenDigest(TOKEN));
  await time(
    "crypto.subtle.digest, awaited",
    20_000,
    () => crypto.subtle.digest("SHA-256", encoder.encode(TOKEN)),
  );
}
