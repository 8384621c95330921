/**
 * Out-of-process TLS clients for the tests of vitals' own TLS ports
 * (tests/platform/_tls/, tests/scenarios/external/grpc_tls_serving.test.ts):
 * curl, `openssl s_client` (the serial a new connection is shown), and a
 * Python keep-alive client that holds one connection open across a
 * certificate change. Each runs as a child process, never blocking the event
 * loop, since the server under test runs in the test's own process.
 *
 * @module
 */

import type { ServerTls } from "../../src/platform/platform.ts";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { type Certificates, makeCertificates } from "./certificate_set.ts";
import { missingOpenssl, openssl } from "./certs.ts";
import { tempDir } from "./files.ts";
import { missingPython } from "./raw_peer.ts";
import { type Ran, runShell } from "./shell.ts";
import { missingTool } from "./tools.ts";

/** Why the TLS serving tests cannot run (printed), or `false`: they need openssl, curl and python3. */
export function missingTlsPeers(what: string): string | false {
  return missingOpenssl(what) || missingTool(what, "curl", ["--version"]) ||
    missingPython(what);
}

/** A certificate set (certificate_set.ts) with every file also read as PEM text. */
export interface PemSet {
  readonly files: Certificates;
  /** The PEM text of a file of `files`. */
  pem(name: keyof Certificates): string;
}

/** Makes a certificate set in a new temporary directory. */
export async function pemSet(): Promise<PemSet> {
  const files = makeCertificates(await tempDir());
  return { files, pem: (name) => readFileSync(files[name], "utf8") };
}

let shared: Promise<PemSet> | undefined;

/** One {@link pemSet} per test process, made on the first call. */
export function sharedPemSet(): Promise<PemSet> {
  return shared ??= pemSet();
}

/** A port's TLS settings serving the set's leaf pair (TLS 1.2 and up), with `over` on top. */
export function leafTls(set: PemSet, over: Partial<ServerTls> = {}): ServerTls {
  return { cert: set.pem("leaf"), key: set.pem("leafKey"), minVersion: "TLSv1.2", ...over };
}

/** Quotes `text` for `sh -c`. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * curl `https://localhost:<port><path>` (localhost resolved to 127.0.0.1)
 * with `args`, at most 5 s. stdout is the body.
 */
export function curlTls(port: number, args: string[], path = "/"): Promise<Ran> {
  const url = `https://localhost:${port}${path}`;
  const resolve = `localhost:${port}:127.0.0.1`;
  const line = ["curl", "-sS", "--max-time", "5", "--resolve", resolve, ...args, url]
    .map(shellQuote).join(" ");
  return runShell(line, process.cwd(), {}, 10_000);
}

/**
 * The serial of the certificate a new connection to `port` is shown (openssl
 * s_client, then openssl x509), upper-case hex, as openssl prints it;
 * `alpn` is offered when given (`h2` for an HTTP/2-only port).
 */
export async function servedSerial(port: number, alpn?: string): Promise<string> {
  const offer = alpn === undefined ? "" : ` -alpn ${shellQuote(alpn)}`;
  const ran = await runShell(
    `openssl s_client -connect 127.0.0.1:${port} -servername localhost${offer} </dev/null 2>/dev/null` +
      " | openssl x509 -noout -serial",
    process.cwd(),
    {},
    10_000,
  );
  return /serial=([0-9A-F]+)/.exec(ran.stdout)?.[1] ?? `(none: ${ran.output.trim()})`;
}

/** The serial of the certificate in `file`, as openssl prints it. */
export function serialOf(file: string): string {
  return /serial=([0-9A-F]+)/.exec(openssl(".", "x509", "-in", file, "-noout", "-serial"))![1]!;
}

/** The notAfter of the certificate in `file`, as openssl prints it, in Unix seconds. */
export function notAfterOf(file: string): number {
  const out = openssl(".", "x509", "-in", file, "-noout", "-enddate", "-dateopt", "iso_8601");
  const [, date, time] = /notAfter=(\S+) (\S+)Z/.exec(out)!;
  return Date.parse(`${date}T${time}Z`) / 1000;
}

/**
 * A Python client (http.client over ssl, trusting `ca`) that keeps one
 * connection to `port` open: each `get()` sends GET / on it and resolves
 * with the line Python prints, `<status> <body> <serial> <local port>`
 * (the serial of the certificate that connection was shown, and the
 * client's port, the same while it is the same connection).
 */
export function keepAliveClient(port: number, ca: string): {
  get(): Promise<string>;
  close(): void;
} {
  const script = [
    "import http.client, ssl, sys",
    `context = ssl.create_default_context(cafile=${JSON.stringify(ca)})`,
    `conn = http.client.HTTPSConnection("localhost", ${port}, context=context, timeout=5)`,
    "for line in sys.stdin:",
    "    try:",
    "        conn.request('GET', '/')",
    "        response = conn.getresponse()",
    "        body = response.read().decode().strip()",
    "        serial = conn.sock.getpeercert()['serialNumber']",
    "        print(response.status, body, serial, conn.sock.getsockname()[1], flush=True)",
    "    except Exception as error:",
    "        print('error', type(error).__name__, error, flush=True)",
  ].join("\n");
  const child = spawn("python3", ["-c", script], { stdio: ["pipe", "pipe", "inherit"] });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let rest = "";
  child.stdout!.on("data", (chunk: Uint8Array) => {
    rest += new TextDecoder().decode(chunk);
    let newline;
    while ((newline = rest.indexOf("\n")) >= 0) {
      const line = rest.slice(0, newline);
      rest = rest.slice(newline + 1);
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    }
  });
  return {
    get() {
      child.stdin!.write("go\n");
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(line);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close() {
      child.stdin!.end();
      child.kill();
    },
  };
}
