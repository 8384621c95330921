/**
 * The members of each {@link Platform} that are the same `node:` modules on
 * Deno and on Bun: TLS requests and handshakes over `node:https` and
 * `node:tls` (neither runtime's `fetch` shows the server's certificate, and
 * Deno's cannot skip verification per connection), `node:http2`, and the
 * atomic file write (`write_atomic.ts`).
 *
 * @module
 */

import type { Platform } from "../platform.ts";
import { nodeFetchTls } from "./fetch.ts";
import { loadHttp2 } from "./http2.ts";
import { tlsHandshake } from "./tls_handshake.ts";
import { writeFileAtomic } from "./write_atomic.ts";

/** The members both runtimes take from their `node:` modules. */
export const nodePart: Pick<Platform, "fetchTls" | "handshake" | "http2" | "writeFileAtomic"> = {
  fetchTls: nodeFetchTls,
  handshake: tlsHandshake,
  http2: loadHttp2,
  writeFileAtomic,
};
