/**
 * The peers of the soak (`bench/soak.ts`), all out of process: the vitals
 * build under test (the compiled binary built as `deno task compile:bun`
 * builds it, or `deno run` / `bun` of main.ts), grpc-go's health server and
 * client (tests/fixtures/grpc_health_*.go, built offline in GOPATH mode
 * against Debian's golang-google-grpc-dev), and a small Python server that
 * stands in for the app (`/ready`, a TCP port) and TabbyAPI (`/health`).
 *
 * @module
 */

import type { Procs } from "./proc.ts";

/** Where the soak builds its programs (git-ignored). */
export const OUT = "dist/bench/soak";

/** How vitals is run: the shipped binary, or main.ts on Deno or Bun. */
export type Build = "compiled" | "deno" | "bun";

const BUN = ["npx", "-y", "bun@1.4.4"];

/** The `bun build` words of `deno task compile:bun`, from `build` up to `--outfile`. */
function compileWords(): string[] {
  const tasks = JSON.parse(Deno.readTextFileSync("deno.json")).tasks as Record<string, string>;
  const words = (tasks["compile:bun"] ?? "").split(/\s+/);
  const from = words.indexOf("build");
  const to = words.indexOf("--outfile");
  if (from === -1 || to <= from) {
    throw new Error(`Unexpected compile:bun task "${tasks["compile:bun"]}"`);
  }
  return words.slice(from, to);
}

/** Builds what `build` needs and returns the argv prefix that runs vitals. */
export async function vitalsCommand(procs: Procs, build: Build): Promise<string[]> {
  if (build === "deno") return [Deno.execPath(), "run", "-A", "--no-lock", "main.ts"];
  if (build === "bun") return [...BUN, "main.ts"];
  const out = `${OUT}/vitals`;
  const built = await procs.run("bun build", [...BUN, ...compileWords(), "--outfile", out], "none");
  if (built.code !== 0) throw new Error(`Cannot build "${out}": ${built.stderr}`);
  return [out];
}

/** Builds tests/fixtures/<name>.go with Debian's Go and grpc-go, offline; returns its path. */
export async function buildGo(procs: Procs, name: string): Promise<string> {
  const out = `${OUT}/${name}`;
  const env = [
    "env",
    "GO111MODULE=off",
    "GOPATH=/usr/share/gocode",
    `GOCACHE=${Deno.cwd()}/${OUT}/gocache`,
    "GOFLAGS=",
  ];
  const built = await procs.run(
    `go build ${name}`,
    [...env, "go", "build", "-o", out, `tests/fixtures/${name}.go`],
    "none",
  );
  if (built.code !== 0) {
    throw new Error(
      `Cannot build "${name}.go" (apt-get install golang-go golang-google-grpc-dev): ${built.stderr}`,
    );
  }
  return out;
}

/** The stand-in app and TabbyAPI: `/ready` answers "ok", `/health` TabbyAPI's healthy body. */
const STAND_IN = `
import http.server, json, sys
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if self.path == "/health":
            body, kind = json.dumps({"status": "healthy", "issues": []}).encode(), "application/json"
        elif self.path == "/ready":
            body, kind = b"ok", "text/plain"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
`;

/** Starts the Python stand-in; resolves with its port. */
export async function startStandIn(procs: Procs, dir: string): Promise<number> {
  const script = `${dir}/stand_in.py`;
  Deno.writeTextFileSync(script, STAND_IN);
  const started = procs.start("stand-in", ["python3", script], { side: "none" });
  return portOf(await started.nextLine(), "the Python stand-in");
}

/** Starts grpc-go's health server (SERVING for ""); resolves with its port. */
export async function startGoServer(procs: Procs, binary: string): Promise<number> {
  const started = procs.start("grpc-go server", [binary], { side: "none", stdin: true });
  return portOf(await started.nextLine(), "the grpc-go server");
}

function portOf(line: string, what: string): number {
  const match = /^PORT (\d+)$/.exec(line.trim());
  if (!match) throw new Error(`${what} did not print its port: "${line}"`);
  return Number(match[1]);
}
