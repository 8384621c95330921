// The single binary: `bun build --compile` of main.ts, built fresh into
// dist/test/ (overwritten each run, git-ignored), then run as users run it
// (check, a served /health/simple, and hash-token with a hashed detailsToken).

import assert from "node:assert/strict";
import { test } from "node:test";
import { createHash } from "node:crypto";
import { compiledBinary as binary } from "../_helpers/binary.ts";
import { runPiped } from "../_helpers/piped.ts";
import { runVitals, runWithConfig, serveConfig, stop } from "../_helpers/processes.ts";

test("the compiled binary runs check: exit 0 when UP, 1 when DOWN", async () => {
  const path = await binary();
  const ok = await runWithConfig(
    ["check"],
    "up.yaml",
    'checks:\n  - {name: ok, type: command, command: ["true"]}\n',
    { command: [path] },
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /status: UP/);
  const failed = await runWithConfig(
    ["check"],
    "down.yaml",
    'checks:\n  - {name: no, type: command, command: ["false"]}\n',
    { command: [path] },
  );
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /DOWN\s+no\s+command\s+yes\s+\S+\s+exit code 1/);
});

test("the compiled binary serves /health/simple", async () => {
  const path = await binary();
  const vitals = await serveConfig(
    "serve.yaml",
    'checks:\n  - {name: ok, type: command, command: ["true"]}\n',
    { command: [path], args: ["--log-format", "text"] },
  );
  try {
    const response = await fetch(`${vitals.url}/health/simple`, {
      headers: { "user-agent": "kube-probe/1.31", accept: "*/*" },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "UP" });
    assert.match(vitals.stderr, /listening on .*\(config ".*serve\.yaml", 1 check, bun /);
  } finally {
    await stop(vitals);
  }
});

test("the compiled binary reports its version", async () => {
  const result = await runVitals(["--version"], { command: [await binary()] });
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^vitals \d+\.\d+\.\d+ \(bun /);
});

test("the compiled binary hashes a token from standard input and serves details only to it", async () => {
  const path = await binary();
  const hashed = await runPiped([path], ["hash-token"], "s3cret\n");
  assert.equal(hashed.code, 0, hashed.stderr);
  const hash = `sha256:${createHash("sha256").update("s3cret").digest("hex")}`;
  assert.equal(hashed.stdout, `${hash}\n`);
  const vitals = await serveConfig(
    "hashed.yaml",
    `server:\n  detailsToken: ${hash}\n` +
      'checks:\n  - {name: ok, type: command, command: ["true"]}\n',
    { command: [path] },
  );
  try {
    const ask = (token: string) =>
      fetch(`${vitals.url}/health`, { headers: { authorization: `Bearer ${token}` } })
        .then((response) => response.json());
    assert.equal((await ask("s3cret")).checks[0].name, "ok");
    assert.deepEqual(await ask("s3creT"), { status: "UP" });
  } finally {
    await stop(vitals);
  }
});
