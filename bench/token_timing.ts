/**
 * Token checks, measured against running servers: `deno run -A
 * bench/token_timing.ts [--quick]`. Starts `vitals serve` from source on Deno
 * and on Bun and as the compiled binary (built as `deno task compile:bun`
 * builds it), each twice: with `server.detailsToken` written as its hash
 * (`sha256:...`) and as the plain token. Servers run on CPU 0, this script
 * (the client) on CPU 1.
 *
 * 1. Timing: over one keep-alive connection per server, `HEAD /health` with
 *    five kinds of request interleaved in a random order within each block of
 *    five: the right token, a wrong one of the same length, one that differs
 *    only in its last character, one of another length, and none. Each
 *    request's time from the first byte written to the end of the answer's
 *    head; per kind the median, p10 and p90, and the median of each round, so
 *    the spread between rounds (the noise) stands next to the differences
 *    between kinds. HEAD, so a right token's longer body does not count.
 *    Servers take turns in a random order each round.
 * 2. Cost: the server's CPU time (every thread's, in ns, from
 *    `/proc/PID/task/TID/schedstat`) over batches of `HEAD /health` all with
 *    the right token or all without one, hashed and plain servers in a random
 *    order each round, as µs per request.
 *
 * Writes `bench/results/token_timing.json` and prints the tables that
 * BENCHMARKS.md, "Token checks", shows.
 *
 * @module
 */

import { VITALS_BUILD_FLAGS } from "./probe.ts";
import { freePort, Procs, sleep, type Started, waitFor200 } from "./proc.ts";
import { quantile } from "./stats.ts";

const QUICK = Deno.args.includes("--quick");
/** Blocks of five requests (one of each kind) per server per round, and rounds. */
const BLOCKS = QUICK ? 200 : 1500;
const ROUNDS = QUICK ? 3 : 10;
/** Requests per CPU batch, and batches per server and kind. */
const BATCH = QUICK ? 1000 : 3000;
const BATCHES = QUICK ? 3 : 9;
const BUN_PACKAGE = "bun@1.4.4";

/** A 43-character random token (256 bits in base64url), as a generator would make. */
function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const TOKEN = randomToken();
const lastChanged = TOKEN.slice(0, -1) + (TOKEN.endsWith("A") ? "B" : "A");
const KINDS = {
  right: TOKEN,
  "wrong, same length": randomToken(),
  "wrong last character": lastChanged,
  "wrong length": randomToken().slice(0, 16),
  "no token": undefined,
} as const;
type Kind = keyof typeof KINDS;
const KIND_NAMES = Object.keys(KINDS) as Kind[];

const encoder = new TextEncoder();
const requestBytes = (token: string | undefined) =>
  encoder.encode(
    `HEAD /health HTTP/1.1\r\nhost: 127.0.0.1\r\n${
      token === undefined ? "" : `authorization: Bearer ${token}\r\n`
    }\r\n`,
  );
const REQUESTS = Object.fromEntries(
  KIND_NAMES.map((kind) => [kind, requestBytes(KINDS[kind])]),
) as Record<Kind, Uint8Array>;

/** One keep-alive HTTP/1.1 connection that sends a HEAD and reads its answer's head. */
class Connection {
  readonly #conn: Deno.TcpConn;
  readonly #buffer = new Uint8Array(16384);
  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    conn.setNoDelay(true);
  }
  /** Sends `bytes` and reads until the head ends; resolves with the status code. */
  async ask(bytes: Uint8Array): Promise<number> {
    await this.#conn.write(bytes);
    let length = 0;
    for (;;) {
      const read = await this.#conn.read(this.#buffer.subarray(length));
      if (read === null) throw new Error("connection closed");
      length += read;
      const text = new TextDecoder().decode(this.#buffer.subarray(0, length));
      if (text.includes("\r\n\r\n")) return Number(text.slice(9, 12));
    }
  }
  close(): void {
    this.#conn.close();
  }
}

interface Server {
  readonly name: string;
  readonly config: "hashed" | "plain";
  readonly started: Started;
  readonly port: number;
}

async function findBun(procs: Procs): Promise<string> {
  const fromEnv = Deno.env.get("VITALS_BENCH_BUN");
  if (fromEnv) return fromEnv;
  const out = await procs.run("npx bun", [
    "npx",
    "-y",
    BUN_PACKAGE,
    "-e",
    "console.log(process.execPath)",
  ], "none");
  return out.stdout.trim().split("\n").pop() ?? "";
}

/** CPU time of every thread of `pid` so far, in µs, from the scheduler's ns counters. */
function cpuMicros(pid: number): number {
  let nanos = 0;
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      nanos += Number(
        Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/schedstat`).split(" ")[0],
      );
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return nanos / 1000;
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

const fixed = (n: number, digits = 1) => Number.isFinite(n) ? n.toFixed(digits) : "—";

async function main(): Promise<void> {
  const cpus = navigator.hardwareConcurrency;
  const procs = new Procs(
    cpus >= 2 ? { server: 0, load: 1 } : { server: undefined, load: undefined },
  );
  if (cpus >= 2) {
    await procs.run("taskset", ["taskset", "-a", "-cp", "1", String(Deno.pid)], "none");
  }
  const tmp = await Deno.makeTempDir({ prefix: "vitals-token-bench-" });
  const servers: Server[] = [];
  const connections = new Map<Server, Connection>();
  try {
    const bun = await findBun(procs);
    const binary = `${tmp}/vitals`;
    const built = await procs.run("build", [
      bun,
      "build",
      ...VITALS_BUILD_FLAGS,
      "main.ts",
      "src/config/_load_worker.ts",
      "--outfile",
      binary,
    ], "none");
    if (built.code !== 0) throw new Error(`bun build failed:\n${built.stderr}`);
    const check = 'checks:\n  - {name: ok, type: command, command: ["true"]}\ncache: {ttl: 1h}\n';
    const configs = {
      hashed: `${tmp}/hashed.yaml`,
      plain: `${tmp}/plain.yaml`,
    };
    await Deno.writeTextFile(
      configs.hashed,
      `server:\n  detailsToken: sha256:${await sha256Hex(TOKEN)}\n${check}`,
    );
    await Deno.writeTextFile(configs.plain, `server:\n  detailsToken: "${TOKEN}"\n${check}`);
    const targets: [string, string[]][] = [
      ["deno", [Deno.execPath(), "run", "-A", "--no-lock", "main.ts"]],
      ["bun", [bun, "main.ts"]],
      ["compiled", [binary]],
    ];
    for (const [name, argv] of targets) {
      for (const config of ["hashed", "plain"] as const) {
        const port = freePort();
        const started = procs.start(`${name} ${config}`, [
          ...argv,
          "serve",
          "--config",
          configs[config],
          "--host",
          "127.0.0.1",
          "--port",
          String(port),
          "--log-level",
          "quiet",
        ], { side: "server" });
        await waitFor200(`http://127.0.0.1:${port}/health/simple`, started, 30_000);
        const server = { name, config, started, port };
        servers.push(server);
        connections.set(
          server,
          new Connection(await Deno.connect({ hostname: "127.0.0.1", port })),
        );
      }
    }
    // A new connection for each turn of a server, warmed with every kind: vitals closes one
    // that sends no request for 10 s (its head timeout) while the other servers have their turns.
    const fresh = async (server: Server, warmUp: number): Promise<Connection> => {
      connections.get(server)?.close();
      const connection = new Connection(
        await Deno.connect({ hostname: "127.0.0.1", port: server.port }),
      );
      connections.set(server, connection);
      for (let i = 0; i < warmUp; i++) {
        await connection.ask(REQUESTS[KIND_NAMES[i % KIND_NAMES.length]!]);
      }
      return connection;
    };
    for (const server of servers) await fresh(server, 2000);

    // 1. Timing, every kind interleaved.
    const timed = servers;
    const samples = new Map<Server, Record<Kind, number[][]>>();
    const codes = new Map<string, Set<number>>();
    for (const server of timed) {
      samples.set(
        server,
        Object.fromEntries(KIND_NAMES.map((kind) => [kind, []])) as unknown as Record<
          Kind,
          number[][]
        >,
      );
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of shuffled(timed)) {
        const byKind = samples.get(server)!;
        for (const kind of KIND_NAMES) byKind[kind].push([]);
        const connection = await fresh(server, 100);
        for (let block = 0; block < BLOCKS; block++) {
          for (const kind of shuffled(KIND_NAMES)) {
            const start = performance.now();
            const code = await connection.ask(REQUESTS[kind]);
            const micros = (performance.now() - start) * 1000;
            byKind[kind][round]!.push(micros);
            const key = `${server.name} ${server.config} ${kind}`;
            if (!codes.has(key)) codes.set(key, new Set());
            codes.get(key)!.add(code);
          }
        }
      }
      console.error(`timing round ${round + 1}/${ROUNDS} done`);
    }

    // 2. Cost: server CPU per request, hashed and plain alternating.
    const cost = new Map<string, number[]>();
    for (let batch = 0; batch < BATCHES; batch++) {
      for (const server of shuffled(servers)) {
        for (const kind of shuffled(["right", "no token"] as const)) {
          const connection = await fresh(server, 100);
          const before = cpuMicros(server.started.pid);
          for (let i = 0; i < BATCH; i++) await connection.ask(REQUESTS[kind]);
          const perRequest = (cpuMicros(server.started.pid) - before) / BATCH;
          const key = `${server.name}|${server.config}|${kind}`;
          cost.set(key, [...cost.get(key) ?? [], perRequest]);
        }
      }
      console.error(`cost batch ${batch + 1}/${BATCHES} done`);
    }

    // Report.
    const timing = timed.map((server) => {
      const byKind = samples.get(server)!;
      return {
        target: server.name,
        config: server.config,
        kinds: KIND_NAMES.map((kind) => {
          const all = byKind[kind].flat().sort((a, b) => a - b);
          const roundMedians = byKind[kind].map((r) => quantile([...r].sort((a, b) => a - b), 0.5));
          return {
            kind,
            codes: [...codes.get(`${server.name} ${server.config} ${kind}`) ?? []],
            n: all.length,
            median: quantile(all, 0.5),
            p10: quantile(all, 0.1),
            p90: quantile(all, 0.9),
            roundMedians,
          };
        }),
      };
    });
    const costs = [...cost].map(([key, values]) => {
      const [target, config, kind] = key.split("|");
      const sorted = [...values].sort((a, b) => a - b);
      return {
        target,
        config,
        kind,
        median: quantile(sorted, 0.5),
        min: sorted[0],
        max: sorted.at(-1),
      };
    });
    const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(", ");
    const result = {
      date: new Date().toISOString(),
      quick: QUICK,
      settings: { blocks: BLOCKS, rounds: ROUNDS, batch: BATCH, batches: BATCHES, cpus },
      loadAverageAtEnd: load,
      timing,
      costs,
    };
    await Deno.mkdir("bench/results", { recursive: true });
    await Deno.writeTextFile(
      "bench/results/token_timing.json",
      JSON.stringify(result, null, 2) + "\n",
    );

    console.log(
      "| target | detailsToken | request | answer | median µs | p10 | p90 | round medians (min–max) |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const row of timing) {
      for (const kind of row.kinds) {
        const rounds = [...kind.roundMedians].sort((a, b) => a - b);
        console.log(
          `| ${row.target} | ${row.config} | ${kind.kind} | ${kind.codes.join(",")} | ${
            fixed(kind.median)
          } | ${fixed(kind.p10)} | ${fixed(kind.p90)} | ${fixed(rounds[0]!)}–${
            fixed(rounds.at(-1)!)
          } |`,
        );
      }
      const wrong = row.kinds.filter((k) => k.kind.startsWith("wrong")).map((k) => k.median);
      const right = row.kinds.find((k) => k.kind === "right")!.median;
      console.log(
        `| ${row.target} | ${row.config} | spread: wrong kinds' medians | | ${
          fixed(Math.max(...wrong) - Math.min(...wrong))
        } | | | right − wrong median: ${
          fixed(right - quantile(wrong.sort((a, b) => a - b), 0.5))
        } |`,
      );
    }
    console.log("\n| target | detailsToken | request | server CPU µs/request, median (min–max) |");
    console.log("| --- | --- | --- | --- |");
    for (
      const row of costs.sort((a, b) =>
        `${a.target}${a.kind}${a.config}`.localeCompare(`${b.target}${b.kind}${b.config}`)
      )
    ) {
      console.log(
        `| ${row.target} | ${row.config} | ${row.kind} | ${fixed(row.median)} (${fixed(row.min!)}–${
          fixed(row.max!)
        }) |`,
      );
    }
    console.log(`\nload average at the end: ${load}`);
  } finally {
    for (const connection of connections.values()) connection.close();
    await procs.stopAll();
    await sleep(100);
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

await main();
