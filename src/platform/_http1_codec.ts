/**
 * The wire format of the HTTP/1.1 server (`_http1_server.ts`): finding the end
 * of a request head, parsing it into a `Request` (or refusing it), and
 * writing a `Response` as bytes, plus the two canned refusals.
 *
 * @module
 */

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
 * A Host value that is only a name or address and a port: `http://` + it +
 * an origin-form target is then the URL that resolving the target against
 * `http://` + it gives, so the URL can be built as one string and parsed
 * once, by the `Request`.
 */
const PLAIN_HOST = /^[A-Za-z0-9.:[\]-]+$/;
const encoder = new TextEncoder();

/**
 * The key that marks responses which serialise to the same bytes: a handler
 * may set `response[WIRE_KEY]` to an object it gives only to responses with
 * the same status, headers and body, and the server then writes the bytes it
 * serialised for the first one without reading the others. Shared through
 * the global symbol registry, so the handler needs no import from here.
 */
export const WIRE_KEY: unique symbol = Symbol.for("vitals.wireKey");

/** The end of the head in `bytes` before `to` (the index after CRLF CRLF), or -1. */
export function headEnd(bytes: Uint8Array, from: number, to = bytes.length): number {
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
}

/** `earlier, value`, as `Headers.get` joins a field sent more than once. */
const join = (earlier: string | undefined, value: string) =>
  earlier === undefined ? value : `${earlier}, ${value}`;

/**
 * Parses a request head (ending in CRLF CRLF); `undefined` when it is not
 * valid HTTP/1.x. The fields go to the `Request` as name and value pairs, its
 * own validation included; the few the server needs are picked up on the way.
 */
export function parseHead(head: string, hostname: string): Parsed | undefined {
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
    const end = head.indexOf("\r\n", at);
    const colon = head.indexOf(":", at);
    if (colon <= at || colon > end) return undefined;
    const name = head.slice(at, colon);
    if (!TOKEN.test(name)) return undefined;
    const value = head.slice(colon + 1, end).trim();
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
    at = end + 2;
  }
  const hasBody = (length ?? "0") !== "0" || chunked;
  const options = connection?.toLowerCase() ?? "";
  const close = hasBody || options.includes("close") ||
    (minor === "0" && !options.includes("keep-alive"));
  let url: string;
  const authority = host || hostname;
  if (target[0] === "/" && target[1] !== "/" && target[1] !== "\\" && PLAIN_HOST.test(authority)) {
    url = `http://${authority}${target}`; // parsed once, by the Request
  } else {
    try {
      const parsed = target.startsWith("/")
        ? new URL(target, `http://${authority}`)
        : new URL(target);
      if (parsed.protocol !== "http:") return undefined;
      url = parsed.href;
    } catch {
      return undefined;
    }
  }
  try {
    return { request: new Request(url, { method, headers: fields }), close };
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

/** Serialised responses by their {@link WIRE_KEY}: keep-alive GET, HEAD, then closing GET, HEAD. */
const wires = new WeakMap<object, (Uint8Array | undefined)[]>();

/**
 * {@link serialize}, reusing the bytes of an earlier response with the same
 * {@link WIRE_KEY}: such a response is written without being read.
 */
export function serializeCached(
  response: Response,
  close: boolean,
  method: string,
): Uint8Array | Promise<Uint8Array> {
  const key = (response as { [WIRE_KEY]?: unknown })[WIRE_KEY];
  if (typeof key !== "object" || key === null) return serialize(response, close, method);
  const forms = wires.get(key) ?? [];
  if (forms.length === 0) wires.set(key, forms);
  const index = (close ? 2 : 0) + (method === "HEAD" ? 1 : 0);
  const known = forms[index];
  if (known) return known;
  return serialize(response, close, method).then((bytes) => forms[index] = bytes);
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
