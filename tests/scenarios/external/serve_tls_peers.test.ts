// vitals serve with mutual TLS on both ports, from source on the runtime
// under test and as the compiled binary, read by Debian's own programs:
// Prometheus scrapes /metrics with `scheme: https` and a client certificate
// in its `tls_config` (its target is up) while a second job without a
// certificate is refused (its target is down); grpc-go reads
// grpc.health.v1 over TLS with a client certificate, and without one is
// refused. Without prometheus, go or openssl the tests skip and say why;
// .ci/run installs them.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { test } from "node:test";
import { compiledBinary } from "../../_helpers/binary.ts";
import { missingOpenssl } from "../../_helpers/certs.ts";
import { makeCertificates } from "../../_helpers/certificate_set.ts";
import { tempDir } from "../../_helpers/files.ts";
import { buildGo, missingGo, unusedPort } from "../../_helpers/grpc_go.ts";
import { start, stop, vitalsCommand, waitForLog } from "../../_helpers/processes.ts";
import { serialOf, servedSerial } from "../../_helpers/tls_peers.ts";
import { secretDir, serveTls, untilPasses } from "../../_helpers/tls_serving.ts";
import { missingTool } from "../../_helpers/tools.ts";

const noOpenssl = missingOpenssl("the TLS peer tests");
const noPrometheus = noOpenssl || missingTool(
  "the Prometheus scrape over TLS",
  "prometheus",
  ["--version"],
  ".ci/run installs it with apt-get install prometheus",
);
const noGo = noOpenssl || missingGo("the grpc-go client over TLS");

/** A target as Prometheus' /api/v1/targets lists it. */
interface Target {
  labels: { job: string };
  health: string;
  lastError: string;
}

/** Runs the grpc-go health client with `args`; its output and exit code. */
function grpcClient(binary: string, args: string[]): Promise<{ out: string; code: number }> {
  return new Promise((resolve) => {
    const child = spawn(binary, args);
    let out = "";
    child.stdout.on("data", (chunk: Uint8Array) => out += new TextDecoder().decode(chunk));
    child.on("error", (error) => resolve({ out: String(error), code: -1 }));
    child.on("close", (code) => resolve({ out: out.trim(), code: code ?? -1 }));
  });
}

for (const build of ["source", "binary"] as const) {
  const command = async () => build === "binary" ? [await compiledBinary()] : vitalsCommand();

  test(
    `${build}: Prometheus scrapes /metrics over TLS with a client certificate, and not without`,
    {
      skip: noPrometheus,
      timeout: 120_000,
    },
    async () => {
      const dir = await tempDir();
      const certs = makeCertificates(dir);
      const vitals = await serveTls(
        `server:\n  tls: { cert: "${certs.leaf}", key: "${certs.leafKey}", clientCa: "${certs.ca}" }\n` +
          `checks:\n  - { name: always, type: command, command: ["true"] }\n`,
        { command: await command() },
      );
      const webPort = await unusedPort();
      const target = `["127.0.0.1:${vitals.port}"]`;
      writeFileSync(
        `${dir}/prometheus.yml`,
        `global: { scrape_interval: 1s, scrape_timeout: 900ms }
scrape_configs:
  - job_name: vitals
    scheme: https
    tls_config: { ca_file: "${certs.ca}", cert_file: "${certs.client}", key_file: "${certs.clientKey}" }
    static_configs: [{ targets: ${target} }]
  - job_name: vitals-without-certificate
    scheme: https
    tls_config: { ca_file: "${certs.ca}" }
    static_configs: [{ targets: ${target} }]
`,
      );
      const prometheus = start([
        `--config.file=${dir}/prometheus.yml`,
        `--storage.tsdb.path=${dir}/tsdb`,
        `--web.listen-address=127.0.0.1:${webPort}`,
      ], { command: ["prometheus"] });
      try {
        await untilPasses(async () => {
          const response = await fetch(`http://127.0.0.1:${webPort}/api/v1/targets`);
          const body = await response.json() as { data: { activeTargets: Target[] } };
          const health = Object.fromEntries(
            body.data.activeTargets.map((t) => [t.labels.job, [t.health, t.lastError]]),
          );
          assert.equal(health["vitals"]?.[0], "up", JSON.stringify(health));
          assert.equal(health["vitals-without-certificate"]?.[0], "down", JSON.stringify(health));
          assert.match(
            health["vitals-without-certificate"]?.[1] ?? "",
            /certificate|tls|EOF|reset/i,
          );
        }, 60_000);
        const query = await fetch(
          `http://127.0.0.1:${webPort}/api/v1/query?query=vitals_check_up{job="vitals"}`,
        );
        const result = await query.json() as { data: { result: { value: [number, string] }[] } };
        assert.equal(result.data.result[0]?.value[1], "1", JSON.stringify(result));
      } finally {
        await stop(prometheus);
        await stop(vitals);
      }
    },
  );

  test(
    `${build}: grpc-go reads grpc.health.v1 over mutual TLS, and is refused without a certificate`,
    {
      skip: noGo,
      timeout: 180_000,
    },
    async () => {
      const dir = await tempDir();
      const certs = makeCertificates(dir);
      const grpcPort = await unusedPort();
      const tls = `{ cert: "${certs.leaf}", key: "${certs.leafKey}", clientCa: "${certs.ca}" }`;
      const secret = secretDir(await tempDir(), certs.leaf, certs.leafKey);
      const grpcTls = `{ cert: "${secret.cert}", key: "${secret.key}", clientCa: "${certs.ca}" }`;
      const vitals = await serveTls(
        `server:\n  tls: ${tls}\n  grpc: { port: ${grpcPort}, tls: ${grpcTls} }\n` +
          `checks:\n  - { name: always, type: command, command: ["true"] }\n`,
        { command: await command() },
      );
      try {
        await waitForLog(vitals, /serving grpc\.health\.v1 on .* \(h2\)/);
        const client = await buildGo("grpc_health_client");
        const addr = ["-addr", `127.0.0.1:${grpcPort}`, "-timeout", "5s"];
        const withCert = ["-cacert", certs.ca, "-cert", certs.client, "-key", certs.clientKey];
        const ready = await grpcClient(client, [...addr, ...withCert, "-service", "ready"]);
        assert.deepEqual(ready, { out: "SERVING", code: 0 });
        const refused = await grpcClient(client, [
          ...addr,
          "-cacert",
          certs.ca,
          "-service",
          "ready",
        ]);
        assert.equal(refused.code, 2, refused.out);
        // Plaintext, as kubelet's grpc probe speaks, does not get through a TLS port either.
        const plain = await grpcClient(client, [...addr, "-service", "ready"]);
        assert.equal(plain.code, 2, plain.out);
        // And the port still serves after the refusals.
        assert.deepEqual(await grpcClient(client, [...addr, ...withCert]), {
          out: "SERVING",
          code: 0,
        });
        // Its certificate rotates as the HTTP port's does, and calls go on.
        secret.swap(certs.expiring, certs.leafKey);
        await waitForLog(vitals, /TLS certificate of the gRPC port reloaded/, 10_000);
        assert.equal(await servedSerial(grpcPort, "h2"), serialOf(certs.expiring));
        assert.deepEqual(await grpcClient(client, [...addr, ...withCert]), {
          out: "SERVING",
          code: 0,
        });
      } finally {
        await stop(vitals);
      }
    },
  );
}
