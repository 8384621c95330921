// `vitals probe` end to end (src/cli/probe.ts): a real `vitals serve` child
// process, and `vitals probe` run as another one against it on the runtime
// running the tests, while it is UP and DOWN; the served check is a `file`
// check, so its path decides the state.

import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { test } from "node:test";
import { tempDir } from "../_helpers/files.ts";
import { closedPort } from "../_helpers/servers.ts";
import { runVitals, serveConfig, stop } from "../_helpers/processes.ts";
import { firstStatus } from "../_helpers/serve_log.ts";

/** The port of a served vitals' base URL. */
function portOf(url: string): string {
  return new URL(url).port;
}

test("probe exits 0 and prints nothing while vitals is UP, 1 with the 503 line while it is DOWN", async () => {
  const dir = await tempDir();
  const flag = `${dir}/migrated`;
  await writeFile(flag, "");
  const vitals = await serveConfig(
    "probe.yaml",
    `cache: {ttl: 0}\nchecks:\n  - {name: migrated, type: file, path: "${flag}"}\n`,
  );
  try {
    await firstStatus(vitals, "UP");
    const env = { VITALS_PORT: portOf(vitals.url) };
    const up = await runVitals(["probe"], { env });
    assert.deepEqual(up, { code: 0, stdout: "", stderr: "" });

    await rm(flag);
    const down = await runVitals(["probe"], { env });
    assert.equal(down.code, 1, down.stderr);
    assert.equal(down.stdout, "");
    assert.equal(
      down.stderr,
      `vitals probe: ${vitals.url}/health/ready/simple answered 503 {"status":"DOWN"}\n`,
    );

    const live = await runVitals(["probe", "--group", "live"], { env });
    assert.equal(live.code, 0, `an empty live group is UP: ${live.stderr}`);
    const all = await runVitals(["probe", "--url", `${vitals.url}/health/simple`]);
    assert.equal(all.code, 1);
    assert.match(all.stderr, /\/health\/simple answered 503 \{"status":"DOWN"\}\n$/);

    await writeFile(flag, "");
    const again = await runVitals(["probe", "--group", "all"], { env });
    assert.equal(again.code, 0, again.stderr);
  } finally {
    await stop(vitals);
  }
});

test("probe exits 1 when no vitals listens, and 2 for a bad flag", async () => {
  const port = await closedPort();
  const refused = await runVitals(["probe"], { env: { VITALS_PORT: String(port) } });
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr,
    `vitals probe: http://127.0.0.1:${port}/health/ready/simple cannot connect: connection refused\n`,
  );
  const bad = await runVitals(["probe", "--group", "healthy"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Invalid --group "healthy": expected live, ready, started or all/);
});
