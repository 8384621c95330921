// `vitals hash-token` (src/cli/hash_token.ts) in the test process: what it
// takes from standard input as the token (one line, its line ending dropped,
// visible ASCII, at most 4096 bytes), what it prints, and its exit codes. The
// real standard input of the real CLI, on Deno, Bun and the compiled binary,
// is in tests/e2e/hash_token.test.ts.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { hashTokenCommand, MAX_TOKEN_BYTES, tokenFromInput } from "../../src/cli/hash_token.ts";
import { PlatformError } from "../../src/platform/platform_error.ts";

test("the token is the one line of input without its line ending", () => {
  for (const input of ["s3cret", "s3cret\n", "s3cret\r\n"]) {
    assert.deepEqual(tokenFromInput(input), { token: "s3cret" }, JSON.stringify(input));
  }
  assert.deepEqual(tokenFromInput("s3cret\n\n"), { problem: "expected one line, got more" });
  assert.deepEqual(tokenFromInput("s3\ncret"), { problem: "expected one line, got more" });
  assert.deepEqual(tokenFromInput("s3cret\r"), { problem: "expected one line, got more" });
});

test("empty input, a space, a non-ASCII character or more than 4096 bytes is no token", () => {
  for (const input of ["", "\n", "\r\n"]) {
    assert.deepEqual(tokenFromInput(input), {
      problem: "standard input is empty: pipe the token in",
    });
  }
  for (const input of ["s3 cret", "tökén", "tab\there", " s3cret"]) {
    assert.deepEqual(tokenFromInput(input), {
      problem: "expected a token of visible ASCII characters without spaces",
    }, input);
  }
  assert.deepEqual(tokenFromInput("a".repeat(MAX_TOKEN_BYTES)), { token: "a".repeat(4096) });
  assert.deepEqual(tokenFromInput(`${"a".repeat(MAX_TOKEN_BYTES + 1)}\n`), {
    problem: "the token is longer than 4096 bytes",
  });
});

/** Runs the command over `readStdin`, collecting what it prints. */
async function run(readStdin: (maxBytes: number) => Promise<string>) {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => void out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => void err.push(parts.join(" "));
  try {
    const code = await hashTokenCommand({ readStdin });
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

test("hashTokenCommand prints sha256: and the hex digest, exit 0", async () => {
  let asked = 0;
  const result = await run((maxBytes) => (asked = maxBytes, Promise.resolve("s3cret\n")));
  const hex = createHash("sha256").update("s3cret").digest("hex");
  assert.deepEqual(result, { code: 0, stdout: `sha256:${hex}`, stderr: "" });
  assert.equal(asked, MAX_TOKEN_BYTES + 2);
});

test("hashTokenCommand exits 2 for input that is no token and 1 when standard input fails", async () => {
  assert.deepEqual(await run(() => Promise.resolve("")), {
    code: 2,
    stdout: "",
    stderr: "vitals hash-token: standard input is empty: pipe the token in",
  });
  assert.deepEqual(await run(() => Promise.reject(new PlatformError("EFBIG", "more than 4098"))), {
    code: 2,
    stdout: "",
    stderr: "vitals hash-token: the token is longer than 4096 bytes",
  });
  assert.deepEqual(await run(() => Promise.reject(new PlatformError("EACCES"))), {
    code: 1,
    stdout: "",
    stderr: "vitals hash-token: cannot read standard input: permission denied",
  });
});
