/**
 * The addresses the interop suite's cases point checks at, one per listener
 * of a peer (peers.ts starts them): whether each speaks TLS, the tool it
 * needs, and what it serves, as the docs' matrix shows it.
 *
 * @module
 */

/**
 * Every address a case can point a check at, named `<peer>.<listener>`:
 * whether it speaks TLS, the tool it needs, and what it serves.
 */
export const ENDPOINTS = {
  "nginx.http": { tls: false, tool: "nginx", serves: "HTTP/1.1" },
  "nginx.self": { tls: true, tool: "nginx", serves: "HTTPS, self-signed certificate" },
  "nginx.ca": {
    tls: true,
    tool: "nginx",
    serves: "HTTPS (HTTP/2 and 1.1), private-CA certificate",
  },
  "nginx.expiring": { tls: true, tool: "nginx", serves: "HTTPS, certificate expiring in 3 days" },
  "nginx.expired": { tls: true, tool: "nginx", serves: "HTTPS, certificate expired 3 days ago" },
  "nginx.h2": {
    tls: true,
    tool: "nginx",
    serves: "HTTPS (HTTP/2 and 1.1), certificate of a CA in the runtime's trust store",
  },
  "go.http": { tls: false, tool: "go", serves: "HTTP/1.1" },
  "go.https": { tls: true, tool: "go", serves: "TLS (HTTP/2 and 1.1)" },
  "go.mtls": { tls: true, tool: "go", serves: "TLS, client certificate required" },
  "grpc.h2c": { tls: false, tool: "go", serves: "health service, cleartext HTTP/2" },
  "grpc.tls": { tls: true, tool: "go", serves: "health service over TLS" },
  "python.http10": {
    tls: false,
    tool: "python3",
    serves: "HTTP/1.0, body ends at close",
  },
  "python.http11": { tls: false, tool: "python3", serves: "HTTP/1.1 keep-alive" },
  "blocked.6000": {
    tls: false,
    tool: "python3",
    serves: "HTTP/1.1 on port 6000 (blocked by Fetch)",
  },
  "blocked.10080": {
    tls: false,
    tool: "python3",
    serves: "HTTP/1.1 on port 10080 (blocked by Fetch)",
  },
  "openssl.tls": { tls: true, tool: "openssl", serves: "TLS (-www)" },
  "openssl.mtls": {
    tls: true,
    tool: "openssl",
    serves: "TLS, client certificate required (-Verify 1)",
  },
  "redis": { tls: false, tool: "redis-server", serves: "its own protocol, not HTTP" },
  "misbehave.http": { tls: false, tool: "python3", serves: "HTTP that misbehaves" },
  "misbehave.https": {
    tls: true,
    tool: "python3",
    serves: "HTTP over TLS that misbehaves",
  },
  "misbehave.rogue": { tls: true, tool: "python3", serves: "TLS, leaf of an untrusted CA" },
  "misbehave.silent": {
    tls: false,
    tool: "python3",
    serves: "accepts, then never reads or writes",
  },
} as const;

/** An address a case can point a check at. */
export type Endpoint = keyof typeof ENDPOINTS;
