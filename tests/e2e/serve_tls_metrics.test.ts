// vitals serve with TLS on its HTTP and gRPC ports, as a process, from source
// on the runtime under test and as the compiled binary, its /metrics read
// over https by curl verifying the CA: each port's
// vitals_tls_certificate_expiry_timestamp_seconds equals the notAfter openssl
// reads from the certificate file; after a Kubernetes-style symlink swap of
// the HTTP port's files it moves to the new certificate's notAfter; a key
// that does not match, swapped in next, leaves it there and adds 1 to
// vitals_tls_reload_failures_total, once however many times the files are
// read again. Without curl or openssl the tests skip and say why.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { test } from "node:test";
import { compiledBinary } from "../_helpers/binary.ts";
import { missingOpenssl } from "../_helpers/certs.ts";
import { makeCertificates } from "../_helpers/certificate_set.ts";
import { tempDir } from "../_helpers/files.ts";
import { stop, vitalsCommand, waitForLog } from "../_helpers/processes.ts";
import { notAfterOf } from "../_helpers/tls_peers.ts";
import { missingTool } from "../_helpers/tools.ts";
import { curl, secretDir, serveTls, untilPasses } from "../_helpers/tls_serving.ts";

const skip = {
  skip: missingOpenssl("the TLS metrics tests") ||
    missingTool("the TLS metrics tests", "curl", ["--version"]),
};

/** The TLS samples of one scrape: `<name>{port="<port>"}` → value. */
type Samples = Record<string, number>;

/** Scrapes `/metrics` over https, verifying the server against `ca`. */
async function scrape(url: string, ca: string): Promise<Samples> {
  const run = await curl(["--cacert", ca, "--fail", `${url}/metrics`]);
  assert.equal(run.code, 0, `curl /metrics: ${run.stderr}`);
  const samples: Samples = {};
  for (const [, series = "", value = ""] of run.stdout.matchAll(/^(vitals_tls_\S+) (\S+)$/gm)) {
    samples[series] = Number(value);
  }
  return samples;
}

const expiry = (port: string) => `vitals_tls_certificate_expiry_timestamp_seconds{port="${port}"}`;
const failures = (port: string) => `vitals_tls_reload_failures_total{port="${port}"}`;
const unusable = (port: string) => `vitals_tls_files_unusable{port="${port}"}`;

for (const build of ["source", "binary"] as const) {
  test(
    `${build}: /metrics over https has each port's certificate expiry, follows a rotation and counts a bad key once`,
    {
      ...skip,
      timeout: 120_000,
    },
    async () => {
      const command = build === "binary" ? [await compiledBinary()] : vitalsCommand();
      const dir = await tempDir();
      const certs = makeCertificates(dir);
      const secret = secretDir(await tempDir(), certs.leaf, certs.leafKey);
      writeFileSync(`${dir}/marker`, "");
      const vitals = await serveTls(
        `server:
  tls: { cert: "${secret.cert}", key: "${secret.key}" }
  grpc: { port: 0, tls: { cert: "${certs.expiring}", key: "${certs.leafKey}" } }
cache: { ttl: 0s }
checks:
  - { name: marker, type: file, path: "${dir}/marker" }
`,
        { command },
      );
      try {
        // The keeper starts once both ports listen: after the gRPC port's line.
        await waitForLog(vitals, /serving grpc\.health\.v1 on .* \(h2\)/);
        const [leaf, expiring] = [notAfterOf(certs.leaf), notAfterOf(certs.expiring)];
        assert.notEqual(leaf, expiring);
        assert.deepEqual(await scrape(vitals.url, certs.ca), {
          [expiry("http")]: leaf,
          [expiry("grpc")]: expiring,
          [failures("http")]: 0,
          [failures("grpc")]: 0,
          [unusable("http")]: 0,
          [unusable("grpc")]: 0,
        });

        // cert-manager's renewal, as kubelet lays it out: a new certificate, the same key.
        secret.swap(certs.expiring, certs.leafKey);
        await untilPasses(async () => {
          assert.equal((await scrape(vitals.url, certs.ca))[expiry("http")], expiring);
        });
        assert.match(vitals.stderr, /TLS certificate of the HTTP port reloaded \(file change\)/);

        // A key that does not belong to the certificate: logged once, counted once.
        secret.swap(certs.leaf, certs.rogueKey);
        await untilPasses(async () => {
          assert.equal((await scrape(vitals.url, certs.ca))[failures("http")], 1);
        });
        await waitForLog(vitals, /Cannot use the new TLS files of the HTTP port/);
        // Two more reads of the same bad files (every 2 s) count nothing more.
        await new Promise((resolve) => setTimeout(resolve, 4500));
        assert.deepEqual(await scrape(vitals.url, certs.ca), {
          [expiry("http")]: expiring,
          [expiry("grpc")]: expiring,
          [failures("http")]: 1,
          [failures("grpc")]: 0,
          [unusable("http")]: 1,
          [unusable("grpc")]: 0,
        });
        const logged = vitals.stderr.match(/Cannot use the new TLS files/g) ?? [];
        assert.equal(logged.length, 1, "one failure logged, one counted");
        // Files fixed: the gauge is back to 0, the counter keeps its count.
        secret.swap(certs.expiring, certs.leafKey);
        await untilPasses(async () => {
          assert.equal((await scrape(vitals.url, certs.ca))[unusable("http")], 0);
        });
        assert.equal((await scrape(vitals.url, certs.ca))[failures("http")], 1);
      } finally {
        await stop(vitals);
      }
    },
  );
}
