import { DEFAULT_CACHE_DIR, parseFlags, UsageError } from "@dropline/engine";
import type { Credentials } from "./basic_auth.ts";

/** The dashboard's command-line options. */
export interface DashboardFlags {
  cacheDir: string;
  port: number;
  host: string;
  auth?: Credentials;
  help: boolean;
  /** Things to tell the user at start (e.g. a password given on the command line). */
  warnings?: string[];
}

/** Where credentials come from besides the command line (injectable for tests). */
export interface AuthSources {
  /** The environment; `DROPLINE_DASHBOARD_AUTH` holds `user:password`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Reads an `--auth-file`. */
  readTextFile?: (path: string) => string;
}

/** The environment variable holding `user:password`, kept out of `ps`. */
export const AUTH_VARIABLE = "DROPLINE_DASHBOARD_AUTH";

/** The usage text printed by `--help` and after a usage error. */
export const USAGE =
  `Usage: deno task dashboard [--cache-dir DIR] [--port 8080] [--host 127.0.0.1] [--auth-file FILE]

  --cache-dir DIR       cache directory to show (default ${DEFAULT_CACHE_DIR})
  --port N              TCP port (default 8080; 0 picks a free one)
  --host ADDRESS        address to bind (default 127.0.0.1: this machine only)
  --auth-file FILE      require HTTP basic auth; FILE holds "user:password"
                        (or set ${AUTH_VARIABLE}=user:password; default: no authentication)
  --auth user:password  the same, but the password shows in \`ps\` and shell history`;

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`Option "--port" expects a port number from 0 to 65535, got "${text}"`);
  }
  return port;
}

/** `user:password`; the message never repeats the text, which may hold a password. */
function parseAuth(text: string, from: string): Credentials {
  const colon = text.indexOf(":");
  if (colon <= 0 || colon === text.length - 1) {
    throw new UsageError(`${from} must hold "user:password" (a user, a colon, a password)`);
  }
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

function readAuthFile(path: string, sources: AuthSources): Credentials {
  let text: string;
  try {
    text = (sources.readTextFile ?? Deno.readTextFileSync)(path);
  } catch (error) {
    throw new UsageError(`Cannot read --auth-file "${path}": ${(error as Error).message}`);
  }
  return parseAuth(text.replace(/\r?\n$/, ""), `--auth-file "${path}"`);
}

/** Credentials from at most one of --auth-file, --auth and the environment. */
function credentials(
  values: { auth?: string | undefined; "auth-file"?: string | undefined },
  sources: AuthSources,
): { auth?: Credentials; warnings: string[] } {
  const fromEnv = (sources.env ?? Deno.env.toObject())[AUTH_VARIABLE];
  const given = [values["auth-file"], values.auth].filter((v) => v !== undefined).length;
  if (given > 1) throw new UsageError('Give either "--auth-file" or "--auth", not both');
  if (values["auth-file"] !== undefined) {
    return { auth: readAuthFile(values["auth-file"], sources), warnings: [] };
  }
  if (values.auth !== undefined) {
    return {
      auth: parseAuth(values.auth, 'Option "--auth"'),
      warnings: [
        `--auth puts the password where other users can see it (\`ps\`, shell history): prefer --auth-file or ${AUTH_VARIABLE}`,
      ],
    };
  }
  if (fromEnv !== undefined && fromEnv !== "") {
    return { auth: parseAuth(fromEnv, AUTH_VARIABLE), warnings: [] };
  }
  return { warnings: [] };
}

/**
 * Parses the dashboard's arguments, throwing a `UsageError` for unknown
 * options, stray arguments and bad values.
 *
 * @example
 * ```ts
 * parseDashboardFlags(["--port", "9000"], { env: {} }); // { cacheDir: "./cache", port: 9000, host: "127.0.0.1", help: false }
 * ```
 */
export function parseDashboardFlags(args: string[], sources: AuthSources = {}): DashboardFlags {
  const { values } = parseFlags(args, {
    "cache-dir": { type: "string", default: DEFAULT_CACHE_DIR },
    port: { type: "string", default: "8080" },
    host: { type: "string", default: "127.0.0.1" },
    auth: { type: "string" },
    "auth-file": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  }, { positionals: false });
  const flags: DashboardFlags = {
    cacheDir: values["cache-dir"],
    port: parsePort(values.port),
    host: values.host,
    help: values.help,
  };
  const { auth, warnings } = credentials(values, sources);
  if (auth) flags.auth = auth;
  if (warnings.length > 0) flags.warnings = warnings;
  return flags;
}
