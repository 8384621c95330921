// TLS for the http, tabbyapi and tcp checks (src/checks/_tls.ts, the
// platform's fetchTls and handshake in src/platform/_node/fetch.ts, tls.ts and
// tls_handshake.ts, the TLS files in src/config/tls_files.ts), against real
// node:https servers on 127.0.0.1 with certificates that openssl makes here:
// self-signed, from a private CA, for a client (mutual TLS), expiring in 5 and
// 2 days, and expired. Configs are loaded from files, so the TLS files are read
// as `vitals serve` reads them. Without openssl, the tests skip with the reason
// printed. The config rules that need no certificate are in
// tests/config/tls_files.test.ts and tests/config/_schema_tls.test.ts.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer, type ServerOptions } from "node:https";
import { createServer as createTcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { relative as relativePath } from "node:path";
import process from "node:process";
import { after, test } from "node:test";
import { createApp } from "../../../src/app/create_app.ts";
import { createReloader } from "../../../src/app/reloader.ts";
import { createCheck } from "../../../src/checks/create_check.ts";
import { ConfigError } from "../../../src/config/error.ts";
import { loadConfig } from "../../../src/config/load.ts";
import { secretsOf } from "../../../src/config/secrets.ts";
import { createLogger } from "../../../src/log.ts";
import type { RunResult } from "../../../src/types.ts";
import {
  authority,
  keyAndRequest,
  missingOpenssl,
  openssl as runOpenssl,
  selfSigned,
  signBetween,
} from "../../_helpers/certs.ts";
import { rejectedFile } from "../../_helpers/config.ts";
import { getText } from "../../_helpers/http.ts";
import { platform } from "../../_helpers/platform.ts";

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------
// Certificates, made by openssl in a temporary directory

/** Why the tests cannot run (openssl missing), or `false`. */
const noOpenssl = missingOpenssl("the TLS tests");

const DIR = mkdtempSync(`${tmpdir()}/vitals-tls-`);
after(() => rmSync(DIR, { recursive: true, force: true }));

const openssl = (...args: string[]): string => runOpenssl(DIR, ...args);

/** The certificate files (absolute paths) the tests use. */
const files = {
  selfCert: `${DIR}/self.crt`,
  selfKey: `${DIR}/self.key`,
  ca: `${DIR}/ca.crt`,
  serverKey: `${DIR}/server.key`,
  /** Signed by `ca`, for IP 127.0.0.1 and DNS service.test, valid 60 days. */
  server: `${DIR}/server.crt`,
  /** The same, valid 5 days. */
  soon: `${DIR}/soon.crt`,
  /** The same, valid 2 days. */
  twoDays: `${DIR}/two-days.crt`,
  /** The same, expired 3 days ago. */
  expired: `${DIR}/expired.crt`,
  clientCa: `${DIR}/client-ca.crt`,
  clientCert: `${DIR}/client.crt`,
  clientKey: `${DIR}/client.key`,
};

if (noOpenssl === false) {
  const now = Date.now();
  const days = (n: number) => now + n * DAY_MS;
  selfSigned(DIR, "self", "127.0.0.1", "IP:127.0.0.1");
  authority(DIR, "ca", "/CN=vitals test CA", 30);
  writeFileSync(`${DIR}/server.ext`, "subjectAltName=IP:127.0.0.1,DNS:service.test\n");
  keyAndRequest(DIR, "server", "/CN=127.0.0.1");
  signBetween(DIR, "server", "ca", "server.crt", now, days(60), "server.ext");
  signBetween(DIR, "server", "ca", "soon.crt", now, days(5), "server.ext");
  signBetween(DIR, "server", "ca", "two-days.crt", now, days(2), "server.ext");
  signBetween(DIR, "server", "ca", "expired.crt", days(-60), days(-3), "server.ext");
  authority(DIR, "client-ca", "/CN=vitals test client CA", 30);
  writeFileSync(`${DIR}/client.ext`, "extendedKeyUsage=clientAuth\n");
  keyAndRequest(DIR, "client", "/CN=vitals");
  signBetween(DIR, "client", "client-ca", "client.crt", now, days(30), "client.ext");
}

const read = (path: string) => readFileSync(path, "utf8");

/** A certificate's notAfter as the checks write it: 2026-12-07T10:00:00Z. */
function notAfter(path: string): string {
  const text = openssl("x509", "-in", path, "-noout", "-enddate").trim().replace(/^notAfter=/, "");
  return new Date(text).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The base64 lines of a PEM key: what must never be shown. */
function keyLines(path: string): string[] {
  return read(path).split("\n").filter((line) => line.length > 0 && !line.startsWith("-----"));
}

// ---------------------------------------------------------------------------
// Servers

interface Served {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** An HTTPS server (node:https, on both runtimes) on 127.0.0.1 with `cert` and its key. */
async function serveHttps(
  cert: string,
  options: ServerOptions & { key?: string } = {},
  body: (path: string) => { status: number; type: string; text: string } = () => ({
    status: 200,
    type: "text/plain",
    text: "fine",
  }),
): Promise<Served> {
  const server = createHttpsServer(
    { key: read(files.serverKey), cert: read(cert), ...options },
    (request, response) => {
      const answer = body(request.url ?? "/");
      response.writeHead(answer.status, { "content-type": answer.type });
      response.end(answer.text);
    },
  );
  server.on("tlsClientError", () => {}); // a client that rejects the certificate
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return {
    port: address.port,
    url: `https://127.0.0.1:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

/** A plain TCP listener: `silent` accepts and never writes, `banner` answers an SSH banner. */
async function serveTcp(mode: "silent" | "banner"): Promise<Served> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    if (mode === "banner") socket.end("SSH-2.0-OpenSSH_9.6\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return {
    port: address.port,
    url: `tcp://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function using<T>(served: Promise<Served>, use: (server: Served) => Promise<T>): Promise<T> {
  const server = await served;
  try {
    return await use(server);
  } finally {
    await server.close();
  }
}

// ---------------------------------------------------------------------------
// Configs, loaded from files as `vitals serve` loads them

let configs = 0;

/** Writes a config with `checks` (YAML list items) and loads it, TLS files and all. */
async function load(checks: string) {
  const file = `${DIR}/vitals-${++configs}.yaml`;
  writeFileSync(file, `checks:\n${checks}`);
  return { file, config: await loadConfig(file, platform) };
}

/** Loads a config with one check (a YAML flow mapping's keys) and runs that check once. */
async function run(check: string): Promise<RunResult> {
  const { config } = await load(`  - {name: target, ${check}}\n`);
  return await createCheck(config.checks[0]!, { platform }).run();
}

/** A YAML value for a path or a URL. */
const q = (text: string) => JSON.stringify(text);

// ---------------------------------------------------------------------------
// http

const skip = { skip: noOpenssl };

test(
  "an https check without tls settings keeps the runtime's fetch: a self-signed server is DOWN",
  skip,
  async () => {
    await using(serveHttps(files.selfCert, { key: read(files.selfKey) }), async (server) => {
      const result = await run(`type: http, url: ${q(server.url)}`);
      assert.equal(result.status, "DOWN");
      assert.equal(result.message, `GET ${server.url} failed: TLS handshake failed`);
    });
  },
);

test(
  "an https check with tls settings names why verification failed: a self-signed certificate",
  skip,
  async () => {
    await using(serveHttps(files.selfCert, { key: read(files.selfKey) }), async (server) => {
      const result = await run(`type: http, url: ${q(server.url)}, tls: {}`);
      assert.equal(result.status, "DOWN");
      assert.equal(
        result.message,
        `GET ${server.url} failed: TLS handshake failed: certificate not trusted: self-signed certificate`,
      );
    });
  },
);

test(
  "tls.ca trusts a self-signed certificate, and a private CA's server certificate",
  skip,
  async () => {
    await using(serveHttps(files.selfCert, { key: read(files.selfKey) }), async (server) => {
      const result = await run(
        `type: http, url: ${q(server.url)}, tls: {ca: ${q(files.selfCert)}}`,
      );
      assert.deepEqual([result.status, result.message], ["UP", "HTTP 200"]);
    });
    await using(serveHttps(files.server), async (server) => {
      const result = await run(`type: http, url: ${q(server.url)}, tls: {ca: ${q(files.ca)}}`);
      assert.deepEqual([result.status, result.message], ["UP", "HTTP 200"]);
      const untrusted = await run(
        `type: http, url: ${q(server.url)}, tls: {ca: ${q(files.clientCa)}}`,
      );
      assert.equal(untrusted.status, "DOWN");
      assert.match(untrusted.message, /TLS handshake failed: certificate not trusted: /);
    });
  },
);

test("tls.insecureSkipVerify accepts a certificate nobody vouches for", skip, async () => {
  await using(serveHttps(files.selfCert, { key: read(files.selfKey) }), async (server) => {
    const result = await run(`type: http, url: ${q(server.url)}, tls: {insecureSkipVerify: true}`);
    assert.deepEqual([result.status, result.message], ["UP", "HTTP 200"]);
  });
});

test(
  "tls.serverName is the name verified: one the certificate lacks is DOWN, one it has is UP",
  skip,
  async () => {
    await using(serveHttps(files.server), async (server) => {
      const ca = `ca: ${q(files.ca)}`;
      const wrong = await run(
        `type: http, url: ${q(server.url)}, tls: {${ca}, serverName: other.test}`,
      );
      assert.equal(wrong.status, "DOWN");
      assert.equal(
        wrong.message,
        `GET ${server.url} failed: TLS handshake failed: certificate not valid for "other.test" ` +
          "(it names IP Address:127.0.0.1, DNS:service.test)",
      );
      const right = await run(
        `type: http, url: ${q(server.url)}, tls: {${ca}, serverName: service.test}`,
      );
      assert.deepEqual([right.status, right.message], ["UP", "HTTP 200"]);
    });
  },
);

test(
  "a server that requires a client certificate: DOWN without one, UP with tls.cert and tls.key",
  skip,
  async () => {
    const mutual = { ca: read(files.clientCa), requestCert: true, rejectUnauthorized: true };
    await using(serveHttps(files.server, mutual), async (server) => {
      const ca = `ca: ${q(files.ca)}`;
      const without = await run(`type: http, url: ${q(server.url)}, tls: {${ca}}`);
      assert.equal(without.status, "DOWN");
      assert.match(
        without.message,
        /the server requires a client certificate: set tls\.cert and tls\.key$/,
      );
      const client = `cert: ${q(files.clientCert)}, key: ${q(files.clientKey)}`;
      const withCert = await run(`type: http, url: ${q(server.url)}, tls: {${ca}, ${client}}`);
      assert.deepEqual([withCert.status, withCert.message], ["UP", "HTTP 200"]);
    });
  },
);

test(
  "a certificate that expires within certificate.warnBefore is WARN, with its date and the days left",
  skip,
  async () => {
    await using(serveHttps(files.soon), async (server) => {
      const result = await run(
        `type: http, url: ${q(server.url)}, tls: {ca: ${
          q(files.ca)
        }}, certificate: {warnBefore: 14d}`,
      );
      assert.equal(result.status, "WARN");
      assert.equal(
        result.message,
        `certificate of 127.0.0.1 expires ${
          notAfter(files.soon)
        }, in 5 days, within warnBefore 14d; HTTP 200`,
      );
    });
  },
);

test("a certificate that expires within certificate.downBefore is DOWN", skip, async () => {
  await using(serveHttps(files.twoDays), async (server) => {
    const result = await run(
      `type: http, url: ${q(server.url)}, tls: {ca: ${q(files.ca)}}, ` +
        "certificate: {warnBefore: 14d, downBefore: 3d}",
    );
    assert.equal(result.status, "DOWN");
    assert.equal(
      result.message,
      `certificate of 127.0.0.1 expires ${
        notAfter(files.twoDays)
      }, in 2 days, within downBefore 3d; HTTP 200`,
    );
  });
});

test(
  "a certificate far from expiry is UP, and the message says when it expires",
  skip,
  async () => {
    await using(serveHttps(files.server), async (server) => {
      const result = await run(
        `type: http, url: ${q(server.url)}, tls: {ca: ${q(files.ca)}}, certificate: {}`,
      );
      assert.equal(result.status, "UP");
      assert.equal(
        result.message,
        `HTTP 200; certificate of 127.0.0.1 expires ${notAfter(files.server)}, in 60 days`,
      );
    });
  },
);

test(
  "an expired certificate is DOWN: not trusted when verified, and dated when not",
  skip,
  async () => {
    await using(serveHttps(files.expired), async (server) => {
      const verified = await run(
        `type: http, url: ${q(server.url)}, tls: {ca: ${q(files.ca)}}, certificate: {}`,
      );
      assert.equal(verified.status, "DOWN");
      // Bun says "certificate has expired"; Deno's node:tls, "unable to verify the first certificate".
      assert.match(verified.message, /TLS handshake failed: certificate not trusted: /);
      const unverified = await run(
        `type: http, url: ${q(server.url)}, tls: {insecureSkipVerify: true}, certificate: {}`,
      );
      assert.equal(unverified.status, "DOWN");
      assert.equal(
        unverified.message,
        `certificate of 127.0.0.1 expired ${notAfter(files.expired)}, 3 days ago; HTTP 200`,
      );
    });
  },
);

test("an https check with tls settings keeps its timeout", skip, async () => {
  await using(serveTcp("silent"), async (server) => {
    const url = `https://127.0.0.1:${server.port}/`;
    const result = await run(`type: http, url: ${q(url)}, timeout: 300ms, tls: {}`);
    assert.deepEqual([result.status, result.message], ["DOWN", "timed out after 300 ms"]);
  });
});

// ---------------------------------------------------------------------------
// tabbyapi

test("a tabbyapi check over https takes the same tls and certificate settings", skip, async () => {
  const healthy = () => ({
    status: 200,
    type: "application/json",
    text: JSON.stringify({ status: "healthy", issues: [] }),
  });
  await using(serveHttps(files.soon, {}, healthy), async (server) => {
    const url = q(server.url.replace(/\/$/, ""));
    const untrusted = await run(`type: tabbyapi, url: ${url}, tls: {}`);
    assert.equal(untrusted.status, "DOWN");
    assert.match(untrusted.message, /failed: TLS handshake failed: certificate not trusted: /);
    const result = await run(
      `type: tabbyapi, url: ${url}, tls: {ca: ${q(files.ca)}}, certificate: {warnBefore: 7d}`,
    );
    assert.equal(result.status, "WARN");
    assert.equal(
      result.message,
      `certificate of 127.0.0.1 expires ${
        notAfter(files.soon)
      }, in 5 days, within warnBefore 7d; healthy`,
    );
  });
});

// ---------------------------------------------------------------------------
// tcp

test("tcp with tls is UP when the handshake succeeds, and says the protocol", skip, async () => {
  await using(serveHttps(files.server), async (server) => {
    const result = await run(`type: tcp, port: ${server.port}, tls: {ca: ${q(files.ca)}}`);
    assert.equal(result.status, "UP");
    assert.match(
      result.message,
      new RegExp(`^TLS handshake with 127\\.0\\.0\\.1:${server.port} ok \\(TLSv1\\.[23]\\)$`),
    );
    const skipped = await run(`type: tcp, port: ${server.port}, tls: {insecureSkipVerify: true}`);
    assert.equal(skipped.status, "UP");
  });
});

test(
  "tcp with tls: true verifies the certificate: a self-signed one is DOWN, naming why",
  skip,
  async () => {
    await using(serveHttps(files.selfCert, { key: read(files.selfKey) }), async (server) => {
      const result = await run(`type: tcp, port: ${server.port}, tls: true`);
      assert.equal(result.status, "DOWN");
      assert.equal(
        result.message,
        `TLS handshake with 127.0.0.1:${server.port} failed: certificate not trusted: self-signed certificate`,
      );
      const trusted = await run(`type: tcp, port: ${server.port}, tls: {ca: ${q(files.selfCert)}}`);
      assert.equal(trusted.status, "UP");
    });
  },
);

test("tcp with tls against a plain TCP listener is DOWN", skip, async () => {
  await using(serveTcp("banner"), async (server) => {
    const result = await run(`type: tcp, port: ${server.port}, tls: true`);
    assert.equal(result.status, "DOWN");
    assert.match(
      result.message,
      new RegExp(
        `^TLS handshake with 127\\.0\\.0\\.1:${server.port} failed: ` +
          "(the server does not speak TLS \\(wrong version number\\)|the connection closed during the handshake)$",
      ),
    );
  });
  await using(serveTcp("silent"), async (server) => {
    const result = await run(`type: tcp, port: ${server.port}, timeout: 300ms, tls: true`);
    assert.deepEqual([result.status, result.message], ["DOWN", "timed out after 300 ms"]);
  });
});

test("tcp with tls to a closed port is DOWN: it cannot connect", skip, async () => {
  const port = await using(serveTcp("silent"), (server) => Promise.resolve(server.port));
  const result = await run(`type: tcp, port: ${port}, tls: true`);
  assert.deepEqual(
    [result.status, result.message],
    ["DOWN", `cannot connect to 127.0.0.1:${port}: connection refused`],
  );
});

test("tcp with tls judges the certificate's expiry too", skip, async () => {
  await using(serveHttps(files.soon), async (server) => {
    const result = await run(
      `type: tcp, port: ${server.port}, tls: {ca: ${q(files.ca)}}, certificate: {warnBefore: 14d}`,
    );
    assert.equal(result.status, "WARN");
    assert.match(
      result.message,
      new RegExp(
        `^certificate of 127\\.0\\.0\\.1 expires ${
          notAfter(files.soon)
        }, in 5 days, within warnBefore 14d; TLS handshake with 127\\.0\\.0\\.1:${server.port} ok`,
      ),
    );
  });
});

// ---------------------------------------------------------------------------
// Config

/** Loads a config expected to be rejected; returns the ConfigError. */
function rejected(checks: string): Promise<ConfigError> {
  const file = `${DIR}/vitals-${++configs}.yaml`;
  writeFileSync(file, `checks:\n${checks}`);
  return rejectedFile(file);
}

test(
  "a key pasted where tls.key wants a file path is a config error that does not quote it",
  skip,
  async () => {
    const key = read(files.clientKey);
    const error = await rejected(
      `  - name: web\n    type: http\n    url: https://127.0.0.1/\n    tls:\n      cert: ${
        q(files.clientCert)
      }\n      key: ${q(key)}\n`,
    );
    assert.equal(error.problems[0]?.path, "checks[0].tls.key");
    assert.match(error.problems[0]?.message ?? "", /^expected a file path, got PEM text/);
    for (const line of keyLines(files.clientKey)) assert.ok(!error.message.includes(line));
  },
);

test(
  "a reload reads the TLS files again, and rejects a config whose file is missing",
  skip,
  async () => {
    const { file, config } = await load(
      `  - {name: web, type: http, url: "https://127.0.0.1:1/", tls: {ca: ${q(files.ca)}}}\n`,
    );
    const lines: string[] = [];
    const log = createLogger({ format: "json", level: "info", write: (line) => lines.push(line) });
    const app = createApp(config, { platform, log });
    const reloader = createReloader({ file, app, platform, log });
    writeFileSync(
      file,
      `checks:\n  - {name: web, type: http, url: "https://127.0.0.1:1/", tls: {ca: ${
        q(`${DIR}/gone.pem`)
      }}}\n`,
    );
    assert.equal(await reloader.reload("test"), false);
    assert.match(
      lines.join("\n"),
      /checks\[0\]\.tls\.ca: cannot read \\".*gone\.pem\\": file does not exist/,
    );
    writeFileSync(
      file,
      `checks:\n  - {name: web, type: http, url: "https://127.0.0.1:1/", tls: {ca: ${
        q(files.selfCert)
      }}}\n`,
    );
    assert.equal(await reloader.reload("test"), true);
    const web = app.config.checks[0];
    assert.ok(web?.type === "http");
    assert.equal(web.tls?.pem?.ca, read(files.selfCert));
  },
);

// ---------------------------------------------------------------------------
// The key is a secret

test(
  "the key file's contents are a secret of the check: masked in every message",
  skip,
  async () => {
    const { config } = await load(
      `  - {name: web, type: http, url: "https://127.0.0.1/", tls: {cert: ${
        q(files.clientCert)
      }, key: ${q(files.clientKey)}}}\n`,
    );
    const secrets = secretsOf(config.checks[0]!);
    for (const line of keyLines(files.clientKey)) assert.ok(secrets.includes(line), line);
    assert.ok(secrets.includes(read(files.clientKey)));
  },
);

test(
  "the key file's contents never appear in a check's message, the logs or the /health body",
  skip,
  async () => {
    const leaked = keyLines(files.clientKey)[0]!;
    const mutual = { ca: read(files.clientCa), requestCert: true, rejectUnauthorized: true };
    // A server that answers a line of the client's key: the tabbyapi check quotes a non-JSON body.
    const echo = () => ({ status: 200, type: "text/plain", text: leaked });
    await using(serveHttps(files.server, mutual, echo), async (server) => {
      const client = `ca: ${q(files.ca)}, cert: ${q(files.clientCert)}, key: ${q(files.clientKey)}`;
      const url = q(server.url.replace(/\/$/, ""));
      const { config } = await load(
        `  - {name: llm, type: tabbyapi, url: ${url}, tls: {${client}}}\n` +
          `  - {name: web, type: http, url: ${
            q(server.url)
          }, tls: {${client}}, certificate: {}}\n` +
          `  - {name: port, type: tcp, port: ${server.port}, tls: {${client}}}\n`,
      );
      const lines: string[] = [];
      const log = createLogger({
        format: "json",
        level: "info",
        write: (line) => lines.push(line),
      });
      const app = createApp(config, { platform, log });
      const health = await getText(app, "/health");
      const body = JSON.parse(health.body) as { checks: { name: string; message: string }[] };
      const llm = body.checks.find((check) => check.name === "llm");
      assert.match(llm?.message ?? "", /is not TabbyAPI JSON \(text\/plain\): "\*\*\*"$/);
      const web = body.checks.find((check) => check.name === "web");
      assert.match(web?.message ?? "", /^HTTP 200; certificate of 127\.0\.0\.1 expires /);
      const metrics = await getText(app, "/metrics");
      const everything = [health.body, metrics.body, ...lines].join("\n");
      assert.ok(lines.length > 0, "something was logged");
      for (const line of keyLines(files.clientKey)) {
        assert.ok(!everything.includes(line), `a line of the key was shown: ${line}`);
      }
    });
  },
);

test(
  "TLS files named by a relative path are read from vitals' working directory",
  skip,
  async () => {
    const relative = relativePath(process.cwd(), files.ca);
    assert.ok(!relative.startsWith("/"));
    const { config } = await load(
      `  - {name: web, type: http, url: "https://127.0.0.1/", tls: {ca: ${q(relative)}}}\n`,
    );
    const web = config.checks[0];
    assert.ok(web?.type === "http");
    assert.equal(web.tls?.ca, relative);
    assert.equal(web.tls?.pem?.ca, read(files.ca));
  },
);
