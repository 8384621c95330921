/**
 * The wire format of the HTTP/1.1 servers (`http1_server.ts` on Deno,
 * `bun_server.ts` on Bun): finding the end of a request head, parsing it
 * into a `Request` (or refusing it), and writing a `Response` as bytes, plus
 * the canned refusals and the answer when the handler fails.
 *
 * @module
 */

/** The largest request head (request line and headers) accepted. */
export const HEAD_LIMIT = 16 * 1024;

const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.([01])$/;
/**
 * A Host value that is only a name or address and a port: the scheme + it +
 * an origin-form target is then the URL that resolving the target against
 * the scheme + it gives, so the URL can be built as one string and parsed
 * once, by the `Request` (BENCHMARKS.md, "Serving from cache").
 */
const PLAIN_HOST = /^[A-Za-z0-9.:[\]-]+$/;
const encoder = new TextEncoder();

const latin1 = new TextDecoder("latin1");

/** The end of the head in `bytes` before `to` (the index after CRLF CRLF), or -1. */
function headEnd(bytes: Uint8Array, from: number, to: number): number {
  for (let i = Math.max(3, from); i < to; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) {
      return i + 1;
    }
  }
  return -1;
}

/** A parsed request head. */
export interface Parsed {
  readonly request: Request;
  /** Whether the connection must close after the response. */
  readonly close: boolean;
  /** Where the head ended: the next request's bytes start here. */
  readonly end: number;
}

/**
 * The next request held in `bytes[start, end)`, where no head ends before
 * `scanned`: its parse; `undefined` while its head is incomplete and within
 * {@link HEAD_LIMIT}; or the refusal to write before closing (431 past the
 * limit, 400 for a head that is not valid HTTP/1.x). `scheme` is the
 * connection's: its requests' URLs start with it (`https` over TLS).
 */
export function nextRequest(
  bytes: Uint8Array,
  start: number,
  end: number,
  scanned: number,
  hostname: string,
  scheme: "http" | "https" = "http",
): Parsed | Uint8Array | undefined {
  const found = headEnd(bytes, Math.max(start + 3, scanned), end);
  if (found === -1) return end - start > HEAD_LIMIT ? PLAIN_431 : undefined;
  if (found - start > HEAD_LIMIT) return PLAIN_431;
  return parseHead(latin1.decode(bytes.subarray(start, found)), hostname, scheme, found) ??
    PLAIN_400;
}

/** `earlier, value`, as `Headers.get` joins a field sent more than once. */
const join = (earlier: string | undefined, value: string) =>
  earlier === undefined ? value : `${earlier}, ${value}`;

/**
 * Parses a request head (ending in CRLF CRLF) that ends at `end`; `undefined`
 * when it is not valid HTTP/1.x. The fields go to the `Request` as name and
 * value pairs, its own validation included; the few the server needs are
 * picked up on the way.
 */
function parseHead(
  head: string,
  hostname: string,
  scheme: "http" | "https",
  end: number,
): Parsed | undefined {
  const lineEnd = head.indexOf("\r\n");
  const line = REQUEST_LINE.exec(head.slice(0, lineEnd));
  if (!line) return undefined;
  const [, method = "", target = "", minor] = line;
  const fields: [string, string][] = [];
  let length: string | undefined;
  let chunked = false;
  let connection: string | undefined;
  let host: string | undefined;
  const last = head.length - 4; // where the final CRLF CRLF starts
  for (let at = lineEnd + 2; at <= last;) {
    const fieldEnd = head.indexOf("\r\n", at);
    const colon = head.indexOf(":", at);
    if (colon <= at || colon > fieldEnd) return undefined;
    const name = head.slice(at, colon);
    if (!TOKEN.test(name)) return undefined;
    const value = head.slice(colon + 1, fieldEnd).trim();
    fields.push([name, value]);
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === "host") host = join(host, value);
        break;
      case 10:
        if (name.toLowerCase() === "connection") connection = join(connection, value);
        break;
      case 14:
        if (name.toLowerCase() === "content-length") length = join(length, value);
        break;
      case 17:
        if (name.toLowerCase() === "transfer-encoding") chunked = true;
        break;
    }
    at = fieldEnd + 2;
  }
  const hasBody = (length ?? "0") !== "0" || chunked;
  const options = connection?.toLowerCase() ?? "";
  const close = hasBody || options.includes("close") ||
    (minor === "0" && !options.includes("keep-alive"));
  let url: string;
  const authority = host || hostname;
  if (target[0] === "/" && target[1] !== "/" && target[1] !== "\\" && PLAIN_HOST.test(authority)) {
    url = `${scheme}://${authority}${target}`; // parsed once, by the Request
  } else {
    try {
      const parsed = target.startsWith("/")
        ? new URL(target, `${scheme}://${authority}`)
        : new URL(target);
      if (parsed.protocol !== `${scheme}:`) return undefined;
      url = parsed.href;
    } catch {
      return undefined;
    }
  }
  try {
    return { request: new Request(url, { method, headers: fields }), close, end };
  } catch {
    return undefined; // a bad URL, a value no Headers object takes, or a method Request refuses
  }
}

/**
 * Serialises a response, head and body in one buffer. The answer to a HEAD
 * request has GET's headers (its length too) and no body, whatever the
 * handler gave.
 */
export async function serialize(
  response: Response,
  close: boolean,
  method = "GET",
): Promise<Uint8Array> {
  const full = response.body ? new Uint8Array(await response.arrayBuffer()) : new Uint8Array();
  const body = method === "HEAD" ? new Uint8Array() : full;
  let head = `HTTP/1.1 ${response.status} ${REASONS[response.status] ?? "Unknown"}\r\n`;
  for (const [name, value] of response.headers) head += `${name}: ${value}\r\n`;
  if (!response.headers.has("content-length")) head += `content-length: ${full.length}\r\n`;
  head += close ? "connection: close\r\n\r\n" : "\r\n";
  const bytes = encoder.encode(head);
  const out = new Uint8Array(bytes.length + body.length);
  out.set(bytes);
  out.set(body, bytes.length);
  return out;
}

/** The answer to a request that is not valid HTTP/1.x. */
export const PLAIN_400 = encoder.encode(
  "HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: 12\r\n" +
    "connection: close\r\n\r\nbad request\n",
);
/** The answer to a request head over the limit. */
export const PLAIN_431 = encoder.encode(
  "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain\r\n" +
    "content-length: 32\r\nconnection: close\r\n\r\nrequest header fields too large\n",
);

/**
 * The answer when the handler throws or rejects: `500` with a short
 * `text/plain` body, the same on every runtime and about nothing but the
 * failure (what a handler answers is the handler's business).
 */
export function handlerFailed(): Response {
  return new Response("internal server error\n", {
    status: 500,
    headers: { "content-type": "text/plain" },
  });
}
