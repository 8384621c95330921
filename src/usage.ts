/**
 * Help texts for the command line, one per subcommand.
 *
 * @module
 */

const CONFIG = `  -c, --config FILE   config file (default: $VITALS_CONFIG, else ./vitals.yaml)`;

/** Help for each subcommand, and `main` for `vitals --help`. */
export const USAGE = {
  main: `vitals: a config-driven health-check sidecar

Usage:
  vitals [serve] [options]     serve /health and /health/simple until SIGTERM
  vitals check [options]       run every check once; exit 0 if UP, 1 if DOWN
  vitals validate [options]    check the config file; exit 0 if valid, 2 if not
  vitals schema                print the config's JSON Schema

Options:
  -h, --help                   help for vitals or a subcommand
  -V, --version                print the version

Exit codes: 0 ok, 1 DOWN or runtime failure, 2 usage or config error.
Run "vitals <command> --help" for a command's options.`,
  serve: `Usage: vitals [serve] [options]

Serves GET|HEAD /health (full JSON) and /health/simple ({"status":"UP"}):
200 when UP, 503 when DOWN. Stops on SIGTERM or SIGINT, letting in-flight
requests finish (at most 5 s) and killing running check processes.

Options:
${CONFIG}
      --host HOST     address to listen on (default: $VITALS_HOST, else server.host)
      --port PORT     port to listen on, 0 for any free one
                      (default: $VITALS_PORT, else server.port)
  -h, --help          show this help`,
  check: `Usage: vitals check [options]

Runs every check once and prints a table (or the /health JSON with --json).
Exits 0 when UP and 1 when DOWN: for Docker HEALTHCHECK, exec probes and cron.

Options:
${CONFIG}
      --json          print the /health JSON body instead of a table
  -h, --help          show this help`,
  validate: `Usage: vitals validate [options]

Loads the config and reports every problem with its line and key path.
Exits 0 and prints "config OK: N checks", or exits 2.

Options:
${CONFIG}
  -h, --help          show this help`,
  schema: `Usage: vitals schema

Prints the JSON Schema (draft 2020-12) of the config file, for editors and CI.

Options:
  -h, --help          show this help`,
} as const;

/** A subcommand name. */
export type Command = Exclude<keyof typeof USAGE, "main">;

/** Whether `name` is a subcommand. */
export function isCommand(name: string): name is Command {
  return name !== "main" && Object.hasOwn(USAGE, name);
}
