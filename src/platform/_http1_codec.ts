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
const encoder = new TextEncoder();

/** The end of the head in `bytes` (the index after CRLF CRLF), or -1. */
export function headEnd(bytes: Uint8Array, from: number): number {
  for (let i = Math.max(3, from); i < bytes.length; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) {
      return i + 1;
    }
  }
  return -1;
}

export interface Parsed {
  readonly request: Request;
  /** Whether the connection must close after the response. */
  readonly close: boolean;
}

/** Parses a request head; `undefined` when it is not valid HTTP/1.x. */
export function parseHead(head: string, hostname: string): Parsed | undefined {
  const lines = head.slice(0, -4).split("\r\n");
  const line = REQUEST_LINE.exec(lines[0] ?? "");
  if (!line) return undefined;
  const [, method = "", target = "", minor] = line;
  const headers = new Headers();
  for (const field of lines.slice(1)) {
    const colon = field.indexOf(":");
    const name = field.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) return undefined;
    try {
      headers.append(name, field.slice(colon + 1).trim());
    } catch {
      return undefined; // a value no Headers object takes
    }
  }
  const hasBody = (headers.get("content-length") ?? "0") !== "0" ||
    headers.has("transfer-encoding");
  const connection = headers.get("connection")?.toLowerCase() ?? "";
  const close = hasBody || connection.includes("close") ||
    (minor === "0" && !connection.includes("keep-alive"));
  let url: URL;
  try {
    url = target.startsWith("/")
      ? new URL(target, `http://${headers.get("host") || hostname}`)
      : new URL(target);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:") return undefined;
  try {
    return { request: new Request(url, { method, headers }), close };
  } catch {
    return undefined; // a method Request refuses (CONNECT, TRACE)
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
