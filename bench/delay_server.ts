/**
 * A local HTTP target that answers after a delay: `GET /?ms=100` waits 100 ms,
 * then answers 200 `ok`. The fan-out and burst benchmarks point http checks at
 * it. Deno only; prints `{"port":N}` on one line once it listens.
 *
 * @module
 */

if (import.meta.main) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const query = request.url.indexOf("?");
    const ms = query === -1 ? 0 : Number(new URLSearchParams(request.url.slice(query)).get("ms"));
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    return new Response("ok");
  });
  console.log(JSON.stringify({ port: server.addr.port }));
}
