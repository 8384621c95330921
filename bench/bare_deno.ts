/**
 * The bare Deno baseline: `Deno.serve` answering every request with the same
 * constant JSON body and headers as vitals would. Run on Deno only:
 * `deno run -A bench/bare_deno.ts --port 8081 --host 127.0.0.1 [--read]`.
 *
 * @module
 */

import { bareHandler, portArg } from "./bare_body.ts";

if (import.meta.main) {
  const args = Deno.args;
  const hostIndex = args.indexOf("--host");
  Deno.serve({
    hostname: hostIndex === -1 ? "127.0.0.1" : args[hostIndex + 1] ?? "127.0.0.1",
    port: portArg(args),
    onListen() {},
  }, bareHandler(args));
}
