import { parseArgs } from "node:util";
import { DEFAULT_CACHE_DIR, UsageError } from "@dropline/engine";
import type { Credentials } from "./basic_auth.ts";

/** The dashboard's command-line options. */
export interface DashboardFlags {
  cacheDir: string;
  port: number;
  host: string;
  auth?: Credentials;
  help: boolean;
}

/** The usage text printed by `--help` and after a usage error. */
export const USAGE =
  `Usage: deno task dashboard [--cache-dir DIR] [--port 8080] [--host 127.0.0.1] [--auth user:password]

  --cache-dir DIR       cache directory to show (default ${DEFAULT_CACHE_DIR})
  --port N              TCP port (default 8080; 0 picks a free one)
  --host ADDRESS        address to bind (default 127.0.0.1: this machine only)
  --auth user:password  require HTTP basic auth (default: no authentication)`;

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`Option "--port" expects a port number from 0 to 65535, got "${text}"`);
  }
  return port;
}

function parseAuth(text: string): Credentials {
  const colon = text.indexOf(":");
  if (colon <= 0 || colon === text.length - 1) {
    throw new UsageError(`Option "--auth" expects "user:password", got "${text}"`);
  }
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * Parses the dashboard's arguments, throwing a `UsageError` for unknown
 * options, stray arguments and bad values.
 *
 * @example
 * ```ts
 * parseDashboardFlags(["--port", "9000"]); // { cacheDir: "./cache", port: 9000, host: "127.0.0.1", help: false }
 * ```
 */
export function parseDashboardFlags(args: string[]): DashboardFlags {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        "cache-dir": { type: "string", default: DEFAULT_CACHE_DIR },
        port: { type: "string", default: "8080" },
        host: { type: "string", default: "127.0.0.1" },
        auth: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    // node:util says "Unknown option '--x'." : quote values and drop the period, as everywhere else.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.replace(/'([^']*)'/g, '"$1"').replace(/\.$/, ""));
  }
  const { values } = parsed;
  const flags: DashboardFlags = {
    cacheDir: values["cache-dir"],
    port: parsePort(values.port),
    host: values.host,
    help: values.help,
  };
  if (values.auth !== undefined) flags.auth = parseAuth(values.auth);
  return flags;
}
