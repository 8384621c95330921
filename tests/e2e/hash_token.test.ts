// Hashed tokens end to end, with main.ts as a real child process (deno run or
// bun): `printf %s TOKEN | vitals hash-token` prints what sha256sum prints for
// the same bytes, and `vitals serve` with `detailsToken` and `metricsToken`
// written as `sha256:<hex>` gives the full body and /metrics to the token
// itself and to no other. tests/e2e/binary.test.ts does the same with the
// compiled binary.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { serveConfig, stop, vitalsCommand } from "../_helpers/processes.ts";
import { runPiped } from "../_helpers/piped.ts";

/** What `sha256sum` prints for `text`'s bytes: the hex digest alone. */
function sha256sum(text: string): string {
  return execFileSync("sha256sum", { input: text, encoding: "utf8" }).split(" ")[0]!;
}

test("printf s3cret | vitals hash-token prints sha256: and what sha256sum prints", async () => {
  for (const input of ["s3cret", "s3cret\n"]) {
    const result = await runPiped(vitalsCommand(), ["hash-token"], input);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `sha256:${sha256sum("s3cret")}\n`);
    assert.equal(result.stderr, "");
  }
  const random = "fQ3Vb8t_Xk9-0LrZs4yWm2NcE7hJpA1uGdT6iOqY5e";
  const result = await runPiped(vitalsCommand(), ["hash-token"], random);
  assert.equal(result.stdout, `sha256:${sha256sum(random)}\n`);
});

test("vitals hash-token exits 2 on empty input, two lines or more than 4096 bytes", async () => {
  const cases: [string, RegExp][] = [
    ["", /standard input is empty/],
    ["one\ntwo\n", /expected one line/],
    ["a".repeat(5000), /longer than 4096 bytes/],
    ["a".repeat(1 << 20), /longer than 4096 bytes/],
  ];
  for (const [input, message] of cases) {
    const result = await runPiped(vitalsCommand(), ["hash-token"], input);
    assert.equal(result.code, 2, `${input.length} bytes: ${result.stderr}`);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, message);
  }
});

test("serve with hashed tokens: the full body and /metrics to the token, the status alone to any other", async () => {
  const details = "d3tails-token";
  const metrics = "m3trics-token";
  const vitals = await serveConfig(
    "hashed.yaml",
    `server:\n  detailsToken: sha256:${sha256sum(details)}\n` +
      `  metricsToken: sha256:${sha256sum(metrics).toUpperCase()}\n` +
      'checks:\n  - {name: ok, type: command, command: ["true"]}\n',
  );
  try {
    const ask = async (path: string, token?: string) => {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const response = await fetch(`${vitals.url}${path}`, { headers });
      return { status: response.status, body: await response.text() };
    };
    const full = await ask("/health", details);
    assert.equal(full.status, 200);
    assert.deepEqual(JSON.parse(full.body).checks.map((check: { name: string }) => check.name), [
      "ok",
    ]);
    const wrong = [undefined, "d3tails-tokeN", "d3tails-toke", "d3tails-token2", metrics];
    for (const token of [...wrong, `sha256:${sha256sum(details)}`, sha256sum(details)]) {
      assert.deepEqual(
        await ask("/health", token),
        { status: 200, body: '{"status":"UP"}' },
        token,
      );
    }
    const scraped = await ask("/metrics", metrics);
    assert.equal(scraped.status, 200);
    assert.match(scraped.body, /^vitals_check_up\{/m);
    for (const token of [undefined, details, "m3trics-tokeN", sha256sum(metrics)]) {
      assert.equal((await ask("/metrics", token)).status, 401, token);
    }
  } finally {
    await stop(vitals);
  }
});
