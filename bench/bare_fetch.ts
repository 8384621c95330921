/**
 * The floor for `vitals probe`: the least a probe has to do. It GETs the URL
 * given as its only argument, drops the body and exits 0 on a 200, 1 on
 * anything else, importing nothing. Runs on Deno (`deno run -A
 * bench/bare_fetch.ts URL`), on Bun and as a compiled Bun binary, so the probe
 * benchmark can tell what a loopback `fetch` adds to starting the runtime at all.
 *
 * `Deno` and `Bun` are typed locally and read only when run, so `deno check`
 * needs no Bun types.
 *
 * @module
 */

interface Runtime {
  readonly args: readonly string[];
  exit(code: number): never;
}

function runtime(): Runtime {
  const globals = globalThis as unknown as {
    Deno?: { args: string[]; exit(code: number): never };
    Bun?: { argv: string[] };
    process?: { exit(code: number): never };
  };
  const deno = globals.Deno;
  if (deno) return { args: deno.args, exit: (code) => deno.exit(code) };
  if (globals.Bun && globals.process) {
    const process = globals.process;
    return { args: globals.Bun.argv.slice(2), exit: (code) => process.exit(code) };
  }
  throw new Error("bench/bare_fetch.ts runs on Deno or Bun");
}

if (import.meta.main) {
  const { args, exit } = runtime();
  const url = args[0];
  if (url === undefined) throw new Error("usage: bare_fetch URL");
  const response = await fetch(url);
  await response.body?.cancel();
  exit(response.status === 200 ? 0 : 1);
}
