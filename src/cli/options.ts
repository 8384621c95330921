/**
 * The command line's one table: every subcommand with its options. Both the
 * argument parser (`flags.ts`) and the help texts (`help.ts`) are built from it, so an option
 * cannot be accepted without being documented, or documented without being accepted.
 *
 * @module
 */

/** One command-line option. */
export interface OptionSpec {
  /** The long name, without `--`. */
  readonly name: string;
  readonly short?: string;
  /** A string option shows `value` as its placeholder in the help. */
  readonly value?: string;
  /** What it does, with its default; may span lines (`\n`). */
  readonly help: string;
}

/** One subcommand. */
export interface CommandSpec {
  /** The line under `Usage:` after `vitals`. */
  readonly usage: string;
  /** One line for the command list of `vitals --help`. */
  readonly summary: string;
  /** What the command does, for its own help. */
  readonly description: string;
  readonly options: readonly OptionSpec[];
}

const CONFIG: OptionSpec = {
  name: "config",
  short: "c",
  value: "FILE",
  help: "config file (default: $VITALS_CONFIG, else ./vitals.yaml)",
};

/** The TLS options of the commands that talk to a running vitals (`served_tls.ts`). */
const SERVED_TLS: readonly OptionSpec[] = [
  {
    name: "cacert",
    value: "FILE",
    help: "verify an https:// server against this CA (PEM) (default:\n" +
      "$VITALS_CACERT; without it, 127.0.0.1, ::1 and localhost are not\n" +
      "verified and other hosts against the system's roots)",
  },
  {
    name: "cert",
    value: "FILE",
    help: "client certificate (PEM), for a port with clientAuth require\n" +
      "(default: $VITALS_CERT; needs --key)",
  },
  {
    name: "key",
    value: "FILE",
    help: "the client certificate's private key (PEM) (default: $VITALS_KEY)",
  },
];

/** Options every command takes. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: "help", short: "h", help: "show this help" },
  { name: "version", short: "V", help: "print the version" },
];

/** Every subcommand, in the order the help lists them. */
export const COMMANDS = {
  serve: {
    usage: "[serve] [options]",
    summary: "serve /health and /health/simple until SIGTERM",
    description: `Serves GET|HEAD /health (full JSON), /health/simple ({"status":"UP"}), the
/health/live, /health/ready and /health/started groups and /metrics: 200 when
UP, 503 when DOWN. Reloads the config on SIGHUP. Stops on SIGTERM or SIGINT:
readiness turns DOWN, then after server.drainDelay in-flight requests finish
(at most 5 s) and running check processes are killed.`,
    options: [
      CONFIG,
      {
        name: "host",
        value: "HOST",
        help: "address to listen on (default: $VITALS_HOST, else server.host)",
      },
      {
        name: "port",
        value: "PORT",
        help: "port to listen on, 0 for any free one\n(default: $VITALS_PORT, else server.port)",
      },
      { name: "watch", help: "reload the config when the file's content changes" },
      {
        name: "log-format",
        value: "FORMAT",
        help: "text or json (default: text on a terminal, else json)",
      },
      { name: "log-level", value: "LEVEL", help: "quiet, info or debug (default: info)" },
    ],
  },
  check: {
    usage: "check [options]",
    summary: "run every check once; exit 0 if UP, 1 if DOWN",
    description: `Runs every check once and prints a table (or the /health JSON with --json).
Exits 0 when UP and 1 when DOWN: for exec probes, cron and CI.`,
    options: [
      CONFIG,
      { name: "json", help: "print the /health JSON body instead of a table" },
      {
        name: "wait",
        value: "DURATION",
        help:
          "retry every second until UP or DURATION has passed\n(such as 30s or 2m; default: no retry)",
      },
    ],
  },
  validate: {
    usage: "validate [options]",
    summary: "check the config file; exit 0 if valid, 2 if not",
    description: `Loads the config and reports every problem with its line and key path.
Exits 0 and prints "config OK: N checks", or exits 2.`,
    options: [CONFIG],
  },
  probe: {
    usage: "probe [options]",
    summary: "ask a running vitals; exit 0 on a 200 answer, 1 otherwise",
    description: `GETs http://127.0.0.1:PORT/health/ready/simple from a vitals serving on this
machine (PORT: $VITALS_PORT, else 8080; https:// when $VITALS_TLS is 1 or true)
and exits 0 on a 200 answer, printing nothing; on any other answer, no
connection or no answer in time it exits 1 with the reason on standard error.
Reads no config file. For a Docker HEALTHCHECK in an image without a shell or
curl.`,
    options: [
      {
        name: "group",
        value: "GROUP",
        help: "live, ready, started, or all for /health/simple (default: ready)",
      },
      {
        name: "url",
        value: "URL",
        help: "the http:// or https:// URL to GET instead of 127.0.0.1's\n" +
          "(overrides --group, $VITALS_PORT and $VITALS_TLS)",
      },
      {
        name: "timeout",
        value: "DURATION",
        help: "how long to wait for the answer, such as 500ms or 2s (default: 1s)",
      },
      ...SERVED_TLS,
    ],
  },
  maint: {
    usage: "maint on|off|status [options]",
    summary: "hold a running vitals' groups DOWN on purpose, or release them",
    description: `Turns the maintenance switch of a running vitals on (its groups answer 503,
with the reason in the details) or off, or reads it, through POST, DELETE or
GET /maintenance on its HTTP port, and prints the state in one line. Needs
server.controlToken in the served config; the token is read from --token-file
or $VITALS_CONTROL_TOKEN. Exits 0 when done, 1 when refused or unanswered.
Reads no config file.`,
    options: [
      {
        name: "reason",
        value: "TEXT",
        help: "why, shown in the details and the log (required by on;\nat most 200 characters)",
      },
      {
        name: "group",
        value: "GROUP",
        help: "live, ready, started, or all for /health; repeatable\n(default: ready)",
      },
      {
        name: "url",
        value: "URL",
        help: "the vitals to switch, such as http://127.0.0.1:8080\n" +
          "(default: $VITALS_URL, else 127.0.0.1 at $VITALS_PORT or 8080,\n" +
          "https:// when $VITALS_TLS is 1 or true)",
      },
      {
        name: "token-file",
        value: "FILE",
        help: "the file holding the control token\n(default: $VITALS_CONTROL_TOKEN)",
      },
      ...SERVED_TLS,
    ],
  },
  "hash-token": {
    usage: "hash-token < FILE",
    summary: "print sha256:<hex> of the token on standard input, for the config",
    description: `Reads one token from standard input (a trailing newline is dropped; at most
4096 bytes) and prints "sha256:" and its SHA-256 in hex: write that as
server.detailsToken, metricsToken or controlToken and the config holds no
secret. Clients still send the token itself. Reads no config file.`,
    options: [],
  },
  schema: {
    usage: "schema",
    summary: "print the config's JSON Schema",
    description: "Prints the JSON Schema (draft 2020-12) of the config file, for editors and CI.",
    options: [],
  },
} as const satisfies Record<string, CommandSpec>;

/** A subcommand name. */
export type Command = keyof typeof COMMANDS;

/** Whether `name` is a subcommand. */
export function isCommand(name: string): name is Command {
  return Object.hasOwn(COMMANDS, name);
}

/**
 * Every option `command` accepts, its own and the common ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { optionsOf } from "./options.ts";
 * assert(optionsOf("validate").map((spec) => spec.name).join() === "config,help,version");
 * ```
 */
export function optionsOf(command: Command): readonly OptionSpec[] {
  const own: readonly OptionSpec[] = COMMANDS[command].options;
  return [...own, ...COMMON_OPTIONS];
}
