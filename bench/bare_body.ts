/**
 * The constant body that every baseline server answers with (bare Deno, bare
 * Bun, the compiled bare Bun binary and nginx): about 150 bytes of JSON shaped
 * like a one-check `/health` answer, so baselines and vitals send similar sizes.
 *
 * With `--read`, the Deno and Bun baselines also read what any router that
 * refuses request bodies must read: the URL and one header. That row shows how
 * much of vitals' gap to the bare server is the runtime's cost of reading a
 * request rather than vitals' own work.
 *
 * @module
 */

/** The baseline servers' answer. Contains no single quote (it is embedded in nginx.conf). */
export const BARE_BODY = '{"status":"UP","timestamp":"2026-01-01T00:00:00.000Z","details":[],' +
  '"checks":[{"name":"true","type":"command","status":"UP","durationMs":1.2}]}';

/** The headers vitals sends with each answer; the baselines send the same. */
export const BARE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "application/json",
  "cache-control": "no-store",
};

/** Reads `--port N` from the arguments (default 0: any free port). */
export function portArg(args: readonly string[]): number {
  const index = args.indexOf("--port");
  const value = index === -1 ? "0" : args[index + 1] ?? "0";
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`bad --port ${JSON.stringify(value)}`);
  }
  return port;
}

/** The constant answer, sent without looking at the request. */
export const constantAnswer = (): Response => new Response(BARE_BODY, { headers: BARE_HEADERS });

/**
 * The constant answer after reading the request's URL and `content-length`
 * header, the least a router that refuses bodies reads; 404 off `/`.
 */
export function readingAnswer(request: Request): Response {
  const url = request.url;
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  const length = request.headers.get("content-length");
  if (url.length - slash > 1 || (length !== null && length !== "0")) {
    return new Response(null, { status: 404 });
  }
  return constantAnswer();
}

/** The handler `--read` picks: {@link readingAnswer}, else {@link constantAnswer}. */
export const bareHandler = (args: readonly string[]): (request: Request) => Response =>
  args.includes("--read") ? readingAnswer : constantAnswer;
