/**
 * The bare Bun baseline: `Bun.serve` answering every request with the same
 * constant JSON body and headers as vitals would. Runs as a script
 * (`bun bench/bare_bun.ts --port 8082 [--read]`) and as a compiled binary.
 *
 * `Bun` is typed locally and read only when run, so `deno check` needs no Bun types.
 *
 * @module
 */

import process from "node:process";
import { bareHandler, portArg } from "./bare_body.ts";

interface BunServe {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request): Response;
  }): unknown;
}

if (import.meta.main) {
  const bun = (globalThis as unknown as { Bun?: BunServe }).Bun;
  if (!bun) throw new Error("bench/bare_bun.ts runs on Bun");
  const args = process.argv.slice(2);
  const hostIndex = args.indexOf("--host");
  bun.serve({
    hostname: hostIndex === -1 ? "127.0.0.1" : args[hostIndex + 1] ?? "127.0.0.1",
    port: portArg(args),
    fetch: bareHandler(args),
  });
}
