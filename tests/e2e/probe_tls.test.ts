// `vitals probe` and `vitals maint` against a vitals that serves TLS
// (server.tls), each a process of its own, from source on the runtime under
// test, as the compiled binary, and on Deno with the permissions the image's
// deno compile binary has (no --allow-sys=ca: an unverified connection must not
// load the system's roots): VITALS_TLS=1 passing a self-signed
// certificate on 127.0.0.1 and failing with the 503 when the check is DOWN;
// --cacert with the right CA passing and with another failing the handshake;
// `maint on` and `off` over https with the control token, seen by probe; and
// under clientAuth require, probe refused without --cert and --key and let in
// with them. The same client against openssl s_server: tests/cli/probe_tls.test.ts.
// Without openssl the tests skip and say why.

import assert from "node:assert/strict";
import process from "node:process";
import { rmSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { compiledBinary } from "../_helpers/binary.ts";
import { missingOpenssl } from "../_helpers/certs.ts";
import { type Certificates, makeCertificates } from "../_helpers/certificate_set.ts";
import { tempDir } from "../_helpers/files.ts";
import { type Finished, runVitals, stop, vitalsCommand } from "../_helpers/processes.ts";
import { serveTls, type TlsServing, untilPasses } from "../_helpers/tls_serving.ts";
import { shippedPermissions } from "./shipped_permissions.ts";

const TOKEN = "e2e-tls-c0ntrol-token";

/** Variables of the test's own environment that would change what probe and maint do. */
const UNSET = [
  "VITALS_URL",
  "VITALS_TLS",
  "VITALS_PORT",
  "VITALS_CACERT",
  "VITALS_CERT",
  "VITALS_KEY",
  "VITALS_CONTROL_TOKEN",
];

let shared: { dir: string; certs: Certificates } | undefined;
async function certificates(): Promise<{ dir: string; certs: Certificates }> {
  if (shared) return shared;
  const dir = await tempDir();
  return shared = { dir, certs: makeCertificates(dir) };
}

/** A config with one file check (UP while `marker` exists), the control token and `tls`. */
function config(marker: string, tls: string): string {
  return `server:\n  controlToken: ${TOKEN}\n  tls: ${tls}\ncache: { ttl: 0s }\nchecks:\n` +
    `  - { name: marker, type: file, path: "${marker}" }\n`;
}

const onBun = "Bun" in globalThis;

for (const build of ["source", "binary", "shipped"] as const) {
  const command = async () =>
    build === "binary"
      ? [await compiledBinary()]
      : build === "shipped"
      ? [process.execPath, "run", "--no-prompt", ...shippedPermissions(), "main.ts"]
      : vitalsCommand();
  const skip = {
    skip: build === "shipped" && onBun
      ? "the shipped permissions are Deno's"
      : missingOpenssl("the probe over TLS tests"),
  };

  /** Runs `vitals <args>` as a process with `env` (VITALS_TLS=1 and the port of `vitals`). */
  const run = async (vitals: TlsServing, args: string[], env: Record<string, string> = {}) => {
    const all = { VITALS_TLS: "1", VITALS_PORT: String(vitals.port), ...env };
    return await runVitals(args, {
      command: await command(),
      unset: UNSET.filter((name) => !(name in all)),
      env: all,
    });
  };
  const passed = (ran: Finished) => assert.deepEqual(ran, { code: 0, stdout: "", stderr: "" });

  test(
    `${build}: VITALS_TLS=1 probe passes a self-signed TLS vitals, --cacert verifies, maint switches it`,
    {
      ...skip,
      timeout: 120_000,
    },
    async () => {
      const { dir, certs } = await certificates();
      const marker = `${dir}/up-probe-${build}`;
      writeFileSync(marker, "");
      const vitals = await serveTls(
        config(marker, `{ cert: "${certs.self}", key: "${certs.selfKey}" }`),
        {
          command: await command(),
        },
      );
      try {
        passed(await run(vitals, ["probe"]));
        passed(await run(vitals, ["probe", "--cacert", certs.self]));
        const rogue = await run(vitals, ["probe"], { VITALS_CACERT: certs.rogueCa });
        assert.equal(rogue.code, 1);
        assert.match(
          rogue.stderr,
          /^vitals probe: https:\/\/127\.0\.0\.1:\d+\/health\/ready\/simple cannot connect: TLS handshake failed: certificate not trusted: /,
        );
        // Cleartext to the TLS port says how to reach it.
        const plain = await run(vitals, ["probe", "--timeout", "3s"], { VITALS_TLS: "0" });
        assert.equal(plain.code, 1);
        assert.match(plain.stderr, /set VITALS_TLS=1/);

        const token = { VITALS_CONTROL_TOKEN: TOKEN };
        const on = await run(vitals, ["maint", "on", "--reason", "tls drill"], token);
        assert.equal(on.code, 0, on.stderr);
        assert.match(on.stdout, /^maintenance on \(ready\) since \S+: tls drill\n$/);
        const held = await run(vitals, ["probe"]);
        assert.equal(held.code, 1);
        assert.match(held.stderr, /\/health\/ready\/simple answered 503 /);
        passed(await run(vitals, ["probe", "--group", "live"]));
        const off = await run(vitals, ["maint", "off"], token);
        assert.deepEqual([off.code, off.stdout, off.stderr], [0, "maintenance off\n", ""]);
        passed(await run(vitals, ["probe"]));

        rmSync(marker);
        await untilPasses(async () => {
          const down = await run(vitals, ["probe"]);
          assert.equal(down.code, 1);
          assert.match(
            down.stderr,
            /^vitals probe: https:\/\/127\.0\.0\.1:\d+\/health\/ready\/simple answered 503 \{"status":"DOWN"\}\n$/,
          );
        });
      } finally {
        await stop(vitals);
      }
    },
  );

  test(
    `${build}: under clientAuth require, probe without --cert and --key is refused, with them passes`,
    {
      ...skip,
      timeout: 120_000,
    },
    async () => {
      const { dir, certs } = await certificates();
      const marker = `${dir}/up-mtls-probe-${build}`;
      writeFileSync(marker, "");
      const vitals = await serveTls(
        config(
          marker,
          `{ cert: "${certs.leaf}", key: "${certs.leafKey}", clientCa: "${certs.ca}", clientAuth: require }`,
        ),
        { command: await command() },
      );
      try {
        const without = await run(vitals, ["probe"]);
        assert.equal(without.code, 1);
        assert.match(
          without.stderr,
          // The server's alert says why, unless the connection closes before it is read.
          /^vitals probe: https:\/\/127\.0\.0\.1:\d+\/health\/ready\/simple (cannot connect: TLS handshake failed: the server requires a client certificate: set --cert and --key|failed: connection closed before a response \(if the port requires a client certificate: set --cert and --key\))\n$/,
        );
        passed(await run(vitals, ["probe", "--cert", certs.client, "--key", certs.clientKey]));
        passed(
          await run(vitals, ["probe"], {
            VITALS_CACERT: certs.ca,
            VITALS_CERT: certs.client,
            VITALS_KEY: certs.clientKey,
          }),
        );
        const rogue = await run(vitals, [
          "probe",
          "--cert",
          certs.rogueLeaf,
          "--key",
          certs.rogueKey,
        ]);
        assert.equal(rogue.code, 1);
        // Under TLS 1.3 the server checks the certificate after the client's handshake is done:
        // an alert says so, or the connection closes.
        assert.match(
          rogue.stderr,
          /(cannot connect: TLS handshake failed: the server rejected the client certificate|failed: connection closed before a response \(the server may have refused the client certificate\))\n$/,
        );
        const maint = await run(vitals, [
          "maint",
          "status",
          "--cert",
          certs.client,
          "--key",
          certs.clientKey,
        ], {
          VITALS_CONTROL_TOKEN: TOKEN,
        });
        assert.deepEqual([maint.code, maint.stdout, maint.stderr], [0, "maintenance off\n", ""]);
      } finally {
        await stop(vitals);
      }
    },
  );
}
