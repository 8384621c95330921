// vitals serve with TLS on its HTTP port, as a process, from source on the
// runtime under test and as the compiled binary, against clients nobody here
// wrote: curl (with the CA; and with -k, as kubelet's HTTPS probe connects
// without verifying), openssl, and Python's ssl polling every 100 ms while
// the certificate files rotate through a Kubernetes-style symlink swap.
// Without curl, openssl or python3 the tests skip and say why.

import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { compiledBinary } from "../_helpers/binary.ts";
import { missingOpenssl } from "../_helpers/certs.ts";
import { type Certificates, makeCertificates } from "../_helpers/certificate_set.ts";
import { ROOT, tempDir } from "../_helpers/files.ts";
import { signal, start, stop, vitalsCommand, waitForLog } from "../_helpers/processes.ts";
import { missingPython } from "../_helpers/raw_peer.ts";
import { serialOf, servedSerial } from "../_helpers/tls_peers.ts";
import { missingTool } from "../_helpers/tools.ts";
import { curl, secretDir, serveTls, statusOf, untilPasses } from "../_helpers/tls_serving.ts";

const skip = {
  skip: missingOpenssl("the TLS serving tests") || missingPython("the TLS serving tests") ||
    missingTool("the TLS serving tests", "curl", ["--version"]),
};

/** A config with one file check (UP while `marker` exists) and `tls` under server. */
function config(marker: string, tls: string): string {
  return `server:\n  tls: ${tls}\ncache: { ttl: 0s }\nchecks:\n` +
    `  - { name: marker, type: file, path: "${marker}" }\n`;
}

let shared: { dir: string; certs: Certificates } | undefined;
async function certificates(): Promise<{ dir: string; certs: Certificates }> {
  if (shared) return shared;
  const dir = await tempDir();
  return shared = { dir, certs: makeCertificates(dir) };
}

for (const build of ["source", "binary"] as const) {
  const command = async () => build === "binary" ? [await compiledBinary()] : vitalsCommand();

  test(
    `${build}: curl with the CA and a kubelet-style probe without verification get 200, then 503`,
    {
      ...skip,
      timeout: 120_000,
    },
    async () => {
      const { dir, certs } = await certificates();
      const marker = `${dir}/up-${build}`;
      writeFileSync(marker, "");
      const vitals = await serveTls(
        config(marker, `{ cert: "${certs.leaf}", key: "${certs.leafKey}" }`),
        { command: await command() },
      );
      try {
        const ready = `${vitals.url}/health/ready/simple`;
        assert.equal(await statusOf(ready, ["--cacert", certs.ca]), "200");
        assert.equal(await statusOf(ready, ["-k"]), "200");
        // Verified against another CA: refused by the client, served nothing.
        assert.match(await statusOf(ready, ["--cacert", certs.rogueCa]), /^curl exit 60/);
        // Cleartext sent to the TLS port gets no answer, and harms nothing.
        const plain = await statusOf(`http://127.0.0.1:${vitals.port}/health/ready/simple`);
        assert.notEqual(plain, "200");
        rmSync(marker);
        await untilPasses(async () => assert.equal(await statusOf(ready, ["-k"]), "503"));
        assert.equal(await statusOf(`${vitals.url}/health/live/simple`, ["-k"]), "200");
        const body = await curl(["--cacert", certs.ca, `${vitals.url}/health`]);
        assert.match(body.stdout, /"status":"DOWN"/);
      } finally {
        await stop(vitals);
      }
    },
  );

  test(`${build}: clientAuth require refuses a client without a certificate, request lets it in`, {
    ...skip,
    timeout: 120_000,
  }, async () => {
    const { dir, certs } = await certificates();
    const marker = `${dir}/up-mtls-${build}`;
    writeFileSync(marker, "");
    const withClient = ["--cacert", certs.ca, "--cert", certs.client, "--key", certs.clientKey];
    for (const clientAuth of ["require", "request"] as const) {
      const vitals = await serveTls(
        config(
          marker,
          `{ cert: "${certs.leaf}", key: "${certs.leafKey}", clientCa: "${certs.ca}", ` +
            `clientAuth: ${clientAuth} }`,
        ),
        { command: await command() },
      );
      try {
        const ready = `${vitals.url}/health/ready/simple`;
        assert.equal(await statusOf(ready, withClient), "200", clientAuth);
        const without = await statusOf(ready, ["--cacert", certs.ca]);
        if (clientAuth === "require") assert.match(without, /^curl exit (35|52|56)/);
        else assert.equal(without, "200");
        // A certificate from a CA the port does not trust is refused under both.
        const rogue = ["--cacert", certs.ca, "--cert", certs.rogueLeaf, "--key", certs.rogueKey];
        assert.match(await statusOf(ready, rogue), /^curl exit (35|52|56)/, clientAuth);
        // Refused clients leave the port serving.
        assert.equal(await statusOf(ready, withClient), "200", clientAuth);
      } finally {
        await stop(vitals);
      }
    }
  });

  test(`${build}: a certificate swapped through a symlink is served within 5 s, no request fails`, {
    ...skip,
    timeout: 120_000,
  }, async () => {
    const { dir, certs } = await certificates();
    const marker = `${dir}/up-rotate-${build}`;
    writeFileSync(marker, "");
    const secret = secretDir(await tempDir(), certs.leaf, certs.leafKey);
    const vitals = await serveTls(
      config(marker, `{ cert: "${secret.cert}", key: "${secret.key}" }`),
      { command: await command() },
    );
    // Python prints a serial without the leading zero openssl may show.
    const [first, second] = [certs.leaf, certs.expiring].map((file) =>
      serialOf(file).replace(/^0+/, "")
    );
    assert.notEqual(first, second);
    const poller = start([
      `${ROOT}/tests/fixtures/tls_poller.py`,
      ...["--port", String(vitals.port), "--ca", certs.ca, "--seconds", "9"],
    ], { command: ["python3"] });
    try {
      await waitForLog(vitals, /listening/);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const swappedAt = Date.now();
      secret.swap(certs.expiring, certs.leafKey);
      await waitForLog(vitals, /TLS certificate of the HTTP port reloaded \(file change\)/, 10_000);
      // A key that does not belong to the certificate: logged, and the served pair kept.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      secret.swap(certs.leaf, certs.rogueKey);
      await waitForLog(vitals, /Cannot use the new TLS files of the HTTP port/, 10_000);
      assert.equal((await servedSerial(vitals.port)).replace(/^0+/, ""), second);
      await poller.exited;
      const lines = poller.stdout.trim().split("\n").map((line) =>
        JSON.parse(line) as { epochMs: number; status?: number; serial?: string; error?: string }
      );
      assert.ok(lines.length >= 40, `only ${lines.length} polls`);
      assert.deepEqual(lines.filter((line) => line.status !== 200), [], "every poll answered 200");
      const firstNew = lines.find((line) => line.serial === second);
      assert.ok(firstNew, "the new serial was seen");
      const latency = firstNew.epochMs - swappedAt;
      console.log(`${build}: new serial first seen ${latency} ms after the swap`);
      assert.ok(latency < 5000, `seen ${latency} ms after the swap`);
      assert.ok(lines.every((line) => line.serial === first || line.serial === second));
      const after = lines.slice(lines.indexOf(firstNew));
      assert.ok(after.every((line) => line.serial === second), "never back to the old one");
    } finally {
      await stop(poller);
      await stop(vitals);
    }
  });

  test(`${build}: SIGHUP re-reads the certificate files at once`, {
    ...skip,
    timeout: 120_000,
  }, async () => {
    const { dir, certs } = await certificates();
    const marker = `${dir}/up-hup-${build}`;
    writeFileSync(marker, "");
    const secret = secretDir(await tempDir(), certs.leaf, certs.leafKey);
    const vitals = await serveTls(
      config(marker, `{ cert: "${secret.cert}", key: "${secret.key}" }`),
      { command: await command() },
    );
    try {
      secret.swap(certs.expiring, certs.leafKey);
      signal(vitals, "SIGHUP");
      await waitForLog(
        vitals,
        /TLS certificate of the HTTP port reloaded \((SIGHUP|file change)\)/,
      );
      assert.equal(await servedSerial(vitals.port), serialOf(certs.expiring));
    } finally {
      await stop(vitals);
    }
  });
}

test("a key that does not match the certificate is a config error naming the line and key", {
  ...skip,
  timeout: 60_000,
}, async () => {
  const { dir, certs } = await certificates();
  writeFileSync(
    `${dir}/mismatch.yaml`,
    config(`${dir}/nothing`, `{ cert: "${certs.leaf}", key: "${certs.rogueKey}" }`),
  );
  const running = start([
    "serve",
    "--config",
    `${dir}/mismatch.yaml`,
    ...["--host", "127.0.0.1", "--port", "0"],
  ]);
  const code = await running.exited;
  assert.equal(code, 2);
  const problem =
    /mismatch\.yaml:2:\d+: server\.tls\.key: cannot use the TLS key: it does not match/;
  assert.match(running.stderr, problem);
  assert.doesNotMatch(running.stderr, /listening/);
  assert.doesNotMatch(running.stderr, /\n\s+at /, "no stack trace");
  // validate says the same, so a bad pair is caught before it is deployed.
  const validate = start(["validate", "--config", `${dir}/mismatch.yaml`]);
  assert.equal(await validate.exited, 2);
  assert.match(validate.stderr, problem);
});
