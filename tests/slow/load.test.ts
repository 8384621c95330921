// Load, on loopback only, stopping by itself: autocannon at 100 connections
// against a served vitals (src/cli/serve.ts) with four real checks and a 1 s
// ttl: no errors, every answer 200, and evaluations follow the ttl, not the
// request count.
//
// VITALS_LOAD_SECONDS shortens or lengthens the load run (default 20).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { test } from "node:test";
import { ROOT } from "../_helpers/files.ts";
import { startServer } from "../_helpers/servers.ts";
import { startTabby } from "../_helpers/tabby.ts";
import { serveConfig, stop } from "../_helpers/processes.ts";

const LOAD_SECONDS = Number(process.env["VITALS_LOAD_SECONDS"] ?? 20);

/** A config with one check of each kind against local stand-ins. */
async function fourChecks(ttl: string) {
  const web = await startServer(() => new Response("ok"));
  const tabby = await startTabby();
  const yaml = `cache:
  ttl: ${ttl}
checks:
  - { name: cmd, type: command, command: ["true"] }
  - { name: tcp, type: tcp, host: 127.0.0.1, port: ${web.port} }
  - { name: web, type: http, url: "${web.url}/", bodyContains: ok }
  - { name: llm, type: tabbyapi, url: "${tabby.url}" }
`;
  return {
    yaml,
    close: async () => {
      await web.close();
      await tabby.close();
    },
  };
}

/** Runs autocannon (with Node, as a separate process) and returns its JSON report. */
function autocannon(url: string, seconds: number): Promise<Record<string, unknown>> {
  const script = `${ROOT}node_modules/autocannon/autocannon.js`;
  const child = spawn("node", [script, "--json", "-c", "100", "-d", String(seconds), url], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (chunk: Uint8Array) => (out += new TextDecoder().decode(chunk)));
  const timer = setTimeout(() => child.kill("SIGKILL"), (seconds + 30) * 1000);
  return new Promise((resolve, reject) => {
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      resolve(JSON.parse(out));
    });
  });
}

function metric(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} is in /metrics`);
  return Number(line.split(" ")[1]);
}

/** Bounds for the long tests below (bun test's default per-test timeout is shorter). */
const LONG = { timeout: 300_000 };

test(
  `${LOAD_SECONDS} s at 100 connections: no errors, all 200, evaluations follow the 1 s ttl`,
  LONG,
  async () => {
    const targets = await fourChecks("1s");
    const vitals = await serveConfig("load.yaml", targets.yaml);
    try {
      const before = metric(
        await (await fetch(`${vitals.url}/metrics`)).text(),
        "vitals_evaluations_total",
      );
      const report = await autocannon(`${vitals.url}/health`, LOAD_SECONDS);
      const metrics = await (await fetch(`${vitals.url}/metrics`)).text();
      const evaluations = metric(metrics, "vitals_evaluations_total") - before;
      const requests = report["requests"] as { total: number; average: number };
      const latency = report["latency"] as { p50: number; p99: number; max: number };
      console.log(
        `load: ${requests.total} requests (${requests.average} req/s), p50 ${latency.p50} ms, ` +
          `p99 ${latency.p99} ms, max ${latency.max} ms, ${evaluations} evaluations in ${LOAD_SECONDS} s`,
      );
      assert.ok(requests.total > LOAD_SECONDS * 100, `a real load: ${requests.total} requests`);
      assert.equal(report["errors"], 0, "no connection errors");
      assert.equal(report["timeouts"], 0, "no timeouts");
      assert.equal(report["non2xx"], 0, "every answer is 200: all four checks are UP");
      // One evaluation per ttl, whatever the request rate (each takes a few ms, hence the slack).
      assert.ok(
        evaluations >= LOAD_SECONDS * 0.6 && evaluations <= LOAD_SECONDS + 2,
        `${evaluations} evaluations for ${LOAD_SECONDS} s at a 1 s ttl`,
      );
      assert.equal(vitals.child.exitCode, null, "vitals is still running");
    } finally {
      await stop(vitals);
      await targets.close();
    }
  },
);
