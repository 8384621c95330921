/**
 * Defaults, applied once: every check gets its `timeout`, `critical`,
 * `groups`, thresholds and `interval` from `defaults` and `cache.ttl`, so no
 * later layer fills in a default again. Also the types of a loaded config.
 *
 * @module
 */

import type { Group } from "../types.ts";
import type { RawConfig } from "./schema.ts";
import type { ServerTlsSettings } from "./_schema_server_tls.ts";

type RawCheck = RawConfig["checks"][number];

/** What `defaults` fills in on every check. */
interface ResolvedPolicy {
  timeout: number;
  critical: boolean;
  groups: Group[];
  /** How often background mode re-runs the check, in ms (default: `cache.ttl`). */
  interval: number;
  failureThreshold: number;
  successThreshold: number;
}

/** A check as configured, with every `defaults` key resolved. Durations are ms. */
export type CheckConfig = RawCheck extends infer C
  ? C extends RawCheck ? Omit<C, keyof ResolvedPolicy> & ResolvedPolicy
  : never
  : never;

/** A check config of one kind. */
export type CheckConfigOf<T extends CheckConfig["type"]> = Extract<CheckConfig, { type: T }>;

/** A loaded, validated config with every default applied. Durations are milliseconds. */
export interface Config {
  readonly server: {
    readonly host: string;
    readonly port: number;
    /** How long a request waits for a running evaluation before taking the last result. */
    readonly maxWait: number;
    /** How long readiness answers 503 after SIGTERM before the server stops. */
    readonly drainDelay: number;
    /** Whether `/metrics` is served. */
    readonly metrics: boolean;
    /** Full bodies only with `Authorization: Bearer <detailsToken>`; unset or empty: open. */
    readonly detailsToken?: string | undefined;
    /** `/metrics` only with this bearer token; unset or empty: open. */
    readonly metricsToken?: string | undefined;
    /** `/maintenance` (the maintenance switch) only with this bearer token; unset or empty: off. */
    readonly controlToken?: string | undefined;
    /** Where the maintenance switch is kept across restarts; unset: in memory only. */
    readonly maintenanceFile?: string | undefined;
    /** The name on the status page, history and text body; unset or empty: the app's default. */
    readonly name?: string | undefined;
    /** TLS on the HTTP port; unset: plain HTTP. */
    readonly tls?: ServerTlsSettings | undefined;
    /** Where grpc.health.v1 is served (on `host`), and its TLS; unset: not served. */
    readonly grpc?:
      | { readonly port: number; readonly tls?: ServerTlsSettings | undefined }
      | undefined;
  };
  readonly cache: { readonly ttl: number; readonly mode: "on-demand" | "background" };
  readonly pool: { readonly size: number };
  readonly defaults: {
    readonly timeout: number;
    readonly critical: boolean;
    readonly groups: readonly Group[];
    readonly failureThreshold: number;
    readonly successThreshold: number;
  };
  readonly checks: readonly CheckConfig[];
}

/**
 * Applies `defaults` to each check.
 *
 * @example
 * ```ts ignore
 * const config = resolveConfig(configSchema.parse(input));
 * config.checks[0]?.timeout; // 5000 unless the check or defaults say otherwise
 * ```
 */
export function resolveConfig(raw: RawConfig): Config {
  return {
    ...raw,
    checks: raw.checks.map((item) =>
      ({
        ...item,
        // An llm check's run may include a generation: its own timeout plus 5 s.
        timeout: item.timeout ??
          (item.type === "llm" && item.generate !== false
            ? item.generate.timeout + 5000
            : raw.defaults.timeout),
        critical: item.critical ?? raw.defaults.critical,
        // Listing a group twice means nothing more than listing it once.
        groups: [...new Set(item.groups ?? raw.defaults.groups)],
        interval: item.interval ?? raw.cache.ttl,
        failureThreshold: item.failureThreshold ?? raw.defaults.failureThreshold,
        successThreshold: item.successThreshold ?? raw.defaults.successThreshold,
      }) as CheckConfig
    ),
  };
}
