// Debian's real Nagios plugins (monitoring-plugins-basic and -standard) run
// as vitals command checks with `nagios: true` (src/checks/_command_nagios.ts),
// driven into OK, WARNING and CRITICAL against listeners and servers this file
// opens on 127.0.0.1: check_tcp, check_http, check_disk, check_load and
// check_procs, each line read as the message and its numbers as perfdata.
// Without a plugin, its test skips and says why; .ci/run installs them.

import assert from "node:assert/strict";
import { existsSync, readFileSync, statfsSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { test } from "node:test";
import type { Perfdata, RunResult } from "../../../src/types.ts";
import { runCheck } from "../../_helpers/checks.ts";
import { closedPort } from "../../_helpers/servers.ts";

const PLUGINS = "/usr/lib/nagios/plugins";

/** `false` when the plugin is installed, else why not; the reason is printed once. */
function noPlugin(name: string): string | false {
  if (existsSync(`${PLUGINS}/${name}`)) return false;
  const reason = `${PLUGINS}/${name} is not installed; .ci/run installs it with ` +
    "apt-get install monitoring-plugins-basic monitoring-plugins-standard";
  console.log(`skipping the ${name} tests: ${reason}`);
  return reason;
}

/** Runs an installed plugin as a vitals command check with `nagios: true`. */
function runPlugin(name: string, args: (string | number)[]): Promise<RunResult> {
  return runCheck({
    name,
    type: "command",
    command: [`${PLUGINS}/${name}`, ...args.map(String)],
    nagios: true,
    timeout: 15_000,
  });
}

/** The perfdata entry labelled `label`. */
function entry(result: RunResult, label: string): Perfdata {
  const found = result.perfdata?.find((p) => p.label === label);
  assert.ok(found, `${result.name} has perfdata "${label}": ${JSON.stringify(result.perfdata)}`);
  return found;
}

/** Asserts the status, that the message has no perfdata in it, and that it matches `pattern`. */
function assertPlugin(result: RunResult, status: string, pattern: RegExp): RegExpExecArray {
  assert.equal(result.status, status, `${result.name}: ${result.message}`);
  assert.ok(!result.message.includes("|"), `no perfdata in the message: ${result.message}`);
  const match = pattern.exec(result.message);
  assert.ok(match, `${result.message} matches ${pattern}`);
  return match;
}

/** A TCP listener on 127.0.0.1 that greets each connection and closes it. */
async function greeter(): Promise<{ port: number; server: TcpServer }> {
  const server = createTcpServer((socket) => socket.end("hello vitals\r\n"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return { port: address.port, server };
}

test("check_tcp: OK on a listener, WARNING on an unexpected greeting, CRITICAL on a closed port", {
  skip: noPlugin("check_tcp"),
}, async () => {
  const { port, server } = await greeter();
  try {
    const ok = await runPlugin("check_tcp", ["-H", "127.0.0.1", "-p", port]);
    const time = /^TCP OK - (\d+\.\d+) second response time on 127\.0\.0\.1 port (\d+)$/;
    const [, seconds, shownPort] = assertPlugin(ok, "UP", time);
    assert.equal(Number(shownPort), port);
    const measured = entry(ok, "time");
    assert.equal(measured.unit, "seconds");
    assert.ok(Math.abs(measured.value - Number(seconds)) <= 0.0005, "the line rounds the value");
    assert.equal(ok.perfdata?.length, 1);

    const warning = await runPlugin("check_tcp", ["-H", "127.0.0.1", "-p", port, "-e", "nope"]);
    assertPlugin(
      warning,
      "WARN",
      /^TCP WARNING - Unexpected response from host\/socket: hello vitals$/,
    );
    assert.equal(entry(warning, "time").unit, "seconds");

    const mismatch = ["-H", "127.0.0.1", "-p", port, "-e", "nope", "-M", "crit"];
    assertPlugin(await runPlugin("check_tcp", mismatch), "DOWN", /^TCP CRITICAL - Unexpected/);
  } finally {
    server.close();
  }
  const closed = await closedPort();
  const refused = await runPlugin("check_tcp", ["-H", "127.0.0.1", "-p", closed]);
  assertPlugin(
    refused,
    "DOWN",
    new RegExp(`^connect to address 127\\.0\\.0\\.1 and port ${closed}: Connection refused$`),
  );
  assert.equal(refused.perfdata, undefined, "a refused connect prints no perfdata");
});

test(
  "check_http: OK with the expected text, WARNING when slow, CRITICAL on a 500 or another status",
  {
    skip: noPlugin("check_http"),
  },
  async () => {
    const server: HttpServer = createHttpServer((request, response) => {
      if (request.url === "/fail") {
        response.statusCode = 500;
        response.end("broken");
      } else if (request.url === "/slow") setTimeout(() => response.end("slow hello"), 300);
      else response.end("hello vitals");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === "object");
    const at = ["-I", "127.0.0.1", "-p", address.port];
    const line = (state: string, status: string) =>
      new RegExp(
        `^HTTP ${state}: ${status} - (\\d+) bytes in (\\d+\\.\\d+) second response time$`,
      );
    /** The size and time the line shows are the perfdata's. */
    const sameNumbers = (result: RunResult, match: RegExpExecArray) => {
      assert.deepEqual(entry(result, "size"), {
        label: "size",
        value: Number(match[1]),
        unit: "bytes",
      });
      const time = entry(result, "time");
      assert.equal(time.unit, "seconds");
      assert.ok(Math.abs(time.value - Number(match[2])) <= 0.0005, "the line rounds the time");
    };
    try {
      const ok = await runPlugin("check_http", [...at, "-e", "HTTP/1.1 200", "-s", "hello vitals"]);
      // With -e, the line quotes the expected status line in place of the status.
      sameNumbers(
        ok,
        assertPlugin(ok, "UP", line("OK", 'Status line output matched "HTTP/1\\.1 200"')),
      );

      const slow = await runPlugin("check_http", [...at, "-u", "/slow", "-w", "0.1", "-c", "10"]);
      const slowMatch = assertPlugin(slow, "WARN", line("WARNING", "HTTP/1\\.1 200 OK"));
      sameNumbers(slow, slowMatch);
      assert.ok(entry(slow, "time").value >= 0.3, "slower than the 0.1 s warning");

      const failed = await runPlugin("check_http", [...at, "-u", "/fail"]);
      sameNumbers(
        failed,
        assertPlugin(failed, "DOWN", line("CRITICAL", "HTTP/1\\.1 500 Internal Server Error")),
      );

      const other = await runPlugin("check_http", [...at, "-e", "HTTP/1.1 204"]);
      assertPlugin(
        other,
        "DOWN",
        new RegExp(
          `^HTTP CRITICAL - Invalid HTTP response received from host on port ${address.port}: ` +
            "HTTP/1\\.1 200 OK$",
        ),
      );
    } finally {
      server.close();
    }
  },
);

test("check_disk: / is OK, WARNING and CRITICAL by its free-space thresholds in percent", {
  skip: noPlugin("check_disk"),
}, async () => {
  const line = (state: string) =>
    new RegExp(`^DISK ${state} - free space: / (\\d+)MiB \\((\\d+)% inode=\\d+%\\);$`);
  /** The used bytes of / as statfs sees them, within 256 MiB (other programs write too). */
  const usedBytes = (result: RunResult) => {
    const used = entry(result, "/");
    assert.equal(used.unit, "bytes");
    const fs = statfsSync("/");
    const expected = (fs.blocks - fs.bfree) * fs.bsize;
    assert.ok(
      Math.abs(used.value - expected) < 256 * 1024 ** 2,
      `used ${used.value} is about ${expected}`,
    );
  };
  // Free space below 0% never happens, and below 100% always does.
  const ok = await runPlugin("check_disk", ["-w", "0%", "-c", "0%", "-p", "/"]);
  assertPlugin(ok, "UP", line("OK"));
  usedBytes(ok);
  const warning = await runPlugin("check_disk", ["-w", "100%", "-c", "0%", "-p", "/"]);
  assertPlugin(warning, "WARN", line("WARNING"));
  usedBytes(warning);
  const critical = await runPlugin("check_disk", ["-w", "100%", "-c", "100%", "-p", "/"]);
  assertPlugin(critical, "DOWN", line("CRITICAL"));
  usedBytes(critical);
});

test("check_load: OK under high thresholds; WARNING and CRITICAL above a load of 0", {
  skip: noPlugin("check_load"),
}, async () => {
  const line = (state: string) =>
    new RegExp(`^LOAD ${state} - total load average: (\\d+\\.\\d+), (\\d+\\.\\d+), (\\d+\\.\\d+)$`);
  /** The three averages the line shows are the perfdata's load1, load5 and load15. */
  const sameNumbers = (result: RunResult, match: RegExpExecArray) => {
    assert.deepEqual(
      result.perfdata,
      ["load1", "load5", "load15"].map((label, i) => ({
        label,
        value: Number(match[i + 1]),
        unit: "",
      })),
    );
  };
  const ok = await runPlugin("check_load", ["-w", "1000,1000,1000", "-c", "1000,1000,1000"]);
  sameNumbers(ok, assertPlugin(ok, "UP", line("OK")));
  // A load of exactly 0.00 on all three averages (an idle host) is not above 0.
  const idle = readFileSync("/proc/loadavg", "utf8").startsWith("0.00 0.00 0.00");
  if (idle) console.log("check_load: the load average is 0.00, so it cannot pass a threshold of 0");
  const warning = await runPlugin("check_load", ["-w", "0,0,0", "-c", "1000,1000,1000"]);
  sameNumbers(warning, assertPlugin(warning, idle ? "UP" : "WARN", line(idle ? "OK" : "WARNING")));
  const critical = await runPlugin("check_load", ["-w", "0,0,0", "-c", "0,0,0"]);
  sameNumbers(
    critical,
    assertPlugin(critical, idle ? "UP" : "DOWN", line(idle ? "OK" : "CRITICAL")),
  );
});

test("check_procs: OK, WARNING and CRITICAL by ranges on the process count", {
  skip: noPlugin("check_procs"),
}, async () => {
  const line = (state: string) => new RegExp(`^PROCS ${state}: (\\d+) processes?$`);
  /** The count the line shows is the perfdata's procs. */
  const sameCount = (result: RunResult, match: RegExpExecArray) => {
    assert.deepEqual(result.perfdata, [{ label: "procs", value: Number(match[1]), unit: "" }]);
    assert.ok(Number(match[1]) >= 1, "this test's own runtime is a process");
  };
  const ok = await runPlugin("check_procs", ["-w", "1:100000", "-c", "1:100000"]);
  sameCount(ok, assertPlugin(ok, "UP", line("OK")));
  // No processes at all never happens: this runtime is one.
  const warning = await runPlugin("check_procs", ["-w", "0:0", "-c", "1:100000"]);
  sameCount(warning, assertPlugin(warning, "WARN", line("WARNING")));
  const critical = await runPlugin("check_procs", ["-w", "0:0", "-c", "0:0"]);
  sameCount(critical, assertPlugin(critical, "DOWN", line("CRITICAL")));
});
