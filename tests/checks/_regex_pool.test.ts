/**
 * The regex pool (src/checks/_regex_pool.ts): patterns tested in real Web
 * Workers; a match whose signal aborts is answered at once while its worker
 * finishes in the background and is then used again; matches queue while the
 * workers are busy, a new worker starts only when every worker is stuck on an
 * abandoned match, and never more than the pool's limit.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { MatchAbandonedError, RegexPool } from "../../src/checks/_regex_pool.ts";
import { SLOW_PATTERN, slowText } from "../_helpers/backtracking.ts";

/** About 400 ms of backtracking for SLOW_PATTERN. */
const SLOW_TEXT = slowText(400);

const never = new AbortController().signal;

/**
 * Starts the pool's worker with a quick match, so that the slow match that
 * follows runs at once: on a loaded machine a worker can take longer to start
 * than the slow match's 20 ms signal, which then aborts it while still queued.
 */
async function warm(pool: RegexPool): Promise<void> {
  assert.equal(await pool.match("a", "a", never).result, true);
}

test("a pattern is tested in a worker: matches, misses, anchors and classes", async () => {
  const pool = new RegexPool();
  assert.equal(await pool.match('"status":\\s*"ok"', '{"status": "ok"}', never).result, true);
  assert.equal(await pool.match("^ok$", "not ok", never).result, false);
  assert.equal(await pool.match("\\d{3}", "code 503", never).result, true);
  // The same pattern again comes from the worker's cache, with no state kept between texts.
  assert.equal(await pool.match("^ok$", "ok", never).result, true);
});

test("a match whose signal aborts rejects at once; its worker finishes later and is used again", async () => {
  const pool = new RegexPool(1);
  await warm(pool);
  const slow = pool.match(SLOW_PATTERN, SLOW_TEXT, AbortSignal.timeout(20));
  const started = performance.now();
  await assert.rejects(slow.result, (error) => {
    assert.ok(error instanceof MatchAbandonedError);
    assert.equal(error.queued, false);
    return true;
  });
  assert.ok(
    performance.now() - started < 1000,
    "rejected at the abort, not at the end of the match",
  );
  await slow.finished;
  // The one worker is free again.
  assert.equal(await pool.match("b$", SLOW_TEXT, never).result, true);
});

test("with every worker stuck and the pool full, a match waits, and says so when its signal aborts", async () => {
  const pool = new RegexPool(1);
  await warm(pool);
  const slow = pool.match(SLOW_PATTERN, SLOW_TEXT, AbortSignal.timeout(20));
  await assert.rejects(slow.result, MatchAbandonedError);
  const waiting = pool.match("a", "a", AbortSignal.timeout(30));
  await assert.rejects(waiting.result, (error) => {
    assert.ok(error instanceof MatchAbandonedError);
    assert.equal(error.queued, true);
    assert.match(error.message, /every worker is busy with an earlier, slow match/);
    return true;
  });
  await waiting.finished; // never started: finished at once
  await slow.finished;
});

test("a match is not held up by a stuck worker: a second worker starts", async () => {
  const pool = new RegexPool(2);
  const slow = pool.match(SLOW_PATTERN, SLOW_TEXT, AbortSignal.timeout(20));
  await assert.rejects(slow.result, MatchAbandonedError);
  const started = performance.now();
  assert.equal(await pool.match("^ok$", "ok", never).result, true);
  assert.ok(performance.now() - started < 2000);
  await slow.finished;
});

test("a match whose signal has already aborted is refused without starting", async () => {
  const pool = new RegexPool();
  const controller = new AbortController();
  controller.abort();
  const match = pool.match("a", "a", controller.signal);
  await assert.rejects(match.result, MatchAbandonedError);
  await match.finished;
});
