// The maintenance switch names who asked and, with server.maintenanceFile,
// survives a restart. `vitals serve` runs as a child process (the runtime
// under test, and the compiled binary), switched by `vitals maint` run as
// another:
// - over TLS (VITALS_TLS=1), the log line names 127.0.0.1 as who asked (plain
//   HTTP is covered by maint.test.ts);
// - with the file configured, `maint on`, SIGTERM, start again: readiness is
//   503 with the same reason and start; `maint off`, restart: 200; a malformed
//   file is logged as an error and vitals starts with the switch off;
// - a file that cannot be written is logged, and the switch changes all the same.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { compiledBinary } from "../_helpers/binary.ts";
import { missingOpenssl } from "../_helpers/certs.ts";
import { makeCertificates } from "../_helpers/certificate_set.ts";
import { tempDir } from "../_helpers/files.ts";
import {
  type Finished,
  runVitals,
  serveConfig,
  serveVitals,
  type Serving,
  signal,
  stop,
  vitalsCommand,
} from "../_helpers/processes.ts";
import { waitForEntry } from "../_helpers/serve_log.ts";
import { serveTls, untilPasses } from "../_helpers/tls_serving.ts";

const TOKEN = "e2e-f1le-c0ntrol-token";
const UNSET = ["VITALS_URL", "VITALS_TLS", "VITALS_PORT", "VITALS_CACERT", "VITALS_CONTROL_TOKEN"];
const CHECKS = `cache: {ttl: 30s}
checks:
  - {name: db, type: command, command: ["true"], groups: [live, ready]}
`;

/** `vitals maint <args>` against `url` with the token, as a process. */
function maint(command: string[], url: string, args: string[]): Promise<Finished> {
  return runVitals(["maint", ...args, "--url", url], {
    command,
    env: { VITALS_CONTROL_TOKEN: TOKEN },
    unset: UNSET.filter((name) => name !== "VITALS_CONTROL_TOKEN"),
  });
}

/** The ready status and body, read once. */
async function ready(url: string): Promise<{ status: number; details: string[] }> {
  const response = await fetch(`${url}/health/ready`);
  const body = await response.json() as { details: string[] };
  return { status: response.status, details: body.details };
}

/** Stops `vitals` with SIGTERM, by PID, and waits for it to exit. */
async function terminate(vitals: Serving): Promise<void> {
  signal(vitals, "SIGTERM");
  await vitals.exited;
}

for (const build of ["source", "binary"] as const) {
  const command = async () => build === "binary" ? [await compiledBinary()] : vitalsCommand();

  test(`${build}: over TLS, the maintenance log lines name 127.0.0.1 as who asked`, {
    skip: missingOpenssl("the maintenance over TLS test"),
    timeout: 120_000,
  }, async () => {
    const certs = makeCertificates(await tempDir());
    const cmd = await command();
    const vitals = await serveTls(
      `server:\n  controlToken: ${TOKEN}\n  tls: {cert: "${certs.leaf}", key: "${certs.leafKey}"}\n` +
        CHECKS,
      { command: cmd },
    );
    try {
      const run = (args: string[]) =>
        runVitals(["maint", ...args, "--cacert", certs.ca], {
          command: cmd,
          env: { VITALS_TLS: "1", VITALS_PORT: String(vitals.port), VITALS_CONTROL_TOKEN: TOKEN },
          unset: ["VITALS_URL", "VITALS_CACERT"],
        });
      const on = await run(["on", "--reason", "tls drill"]);
      assert.equal(on.code, 0, on.stderr);
      await waitForEntry(vitals, "warn", /^maintenance on \(ready\) by 127\.0\.0\.1: tls drill$/);
      const off = await run(["off"]);
      assert.equal(off.code, 0, off.stderr);
      await waitForEntry(
        vitals,
        "info",
        /^maintenance off \(ready\) by 127\.0\.0\.1; it was: tls drill$/,
      );
    } finally {
      await stop(vitals);
    }
  });

  test(
    `${build}: with server.maintenanceFile the switch survives a restart; a malformed file starts it off`,
    {
      timeout: 120_000,
    },
    async () => {
      const cmd = await command();
      const file = `${await tempDir()}/maintenance.json`;
      const yaml = `server: {controlToken: ${TOKEN}, maintenanceFile: "${file}"}\n${CHECKS}`;
      let vitals: Serving & { path: string } = await serveConfig("maint-file.yaml", yaml, {
        command: cmd,
      });
      const restart = async () => {
        await terminate(vitals);
        vitals = Object.assign(await serveVitals(vitals.path, { command: cmd }), {
          path: vitals.path,
        });
      };
      try {
        // No file yet: starts off, and nothing is written until the switch changes.
        assert.equal((await ready(vitals.url)).status, 200);
        const on = await maint(cmd, vitals.url, [
          "on",
          "--reason",
          "node drain",
          "--group",
          "ready",
        ]);
        assert.equal(on.code, 0, on.stderr);
        const since = /since (\S+):/.exec(on.stdout)?.[1];
        assert.ok(since, on.stdout);
        const saved = { on: true, reason: "node drain", since, groups: ["ready"] };
        await untilPasses(() => assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), saved));

        await restart();
        // The very first answer after the restart already holds the switch.
        assert.deepEqual(await ready(vitals.url), {
          status: 503,
          details: ["maintenance: node drain"],
        });
        const status = await maint(cmd, vitals.url, ["status"]);
        assert.equal(status.stdout, `maintenance on (ready) since ${since}: node drain\n`);
        await waitForEntry(
          vitals,
          "warn",
          new RegExp(`^maintenance on \\(ready\\) by the file "${file}": node drain$`),
        );

        const off = await maint(cmd, vitals.url, ["off"]);
        assert.equal(off.code, 0, off.stderr);
        await untilPasses(() =>
          assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), { on: false })
        );
        await restart();
        assert.deepEqual(await ready(vitals.url), { status: 200, details: [] });

        writeFileSync(file, '{"on": true, "reason": "half-writ');
        await restart();
        assert.deepEqual(await ready(vitals.url), { status: 200, details: [] });
        await waitForEntry(
          vitals,
          "error",
          /^Cannot restore the maintenance switch from ".*maintenance\.json": Invalid maintenance file: expected JSON/,
        );
        assert.equal((await maint(cmd, vitals.url, ["status"])).stdout, "maintenance off\n");
      } finally {
        await stop(vitals);
      }
    },
  );
}

test("a maintenance file that cannot be written is logged, and the switch changes all the same", {
  timeout: 60_000,
}, async () => {
  const file = `${await tempDir()}/missing-dir/maintenance.json`;
  const yaml = `server: {controlToken: ${TOKEN}, maintenanceFile: "${file}"}\n${CHECKS}`;
  const vitals = await serveConfig("maint-unwritable.yaml", yaml);
  try {
    const on = await maint(vitalsCommand(), vitals.url, ["on", "--reason", "disk full"]);
    assert.equal(on.code, 0, on.stderr);
    assert.deepEqual(await ready(vitals.url), { status: 503, details: ["maintenance: disk full"] });
    await waitForEntry(
      vitals,
      "error",
      /^Cannot write the maintenance switch to ".*missing-dir\/maintenance\.json": /,
    );
  } finally {
    await stop(vitals);
  }
});
