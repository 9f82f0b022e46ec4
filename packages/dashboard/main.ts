/**
 * `deno task dashboard`: serves the read-only dashboard of a cache directory.
 *
 * @example
 * ```sh
 * deno task dashboard --cache-dir ./cache --port 8080
 * ```
 */
import { CacheLayout, UsageError } from "@dropline/engine";
import { TASKS } from "@dropline/tasks";
import { createApp } from "./app.ts";
import { parseDashboardFlags, USAGE } from "./parse_flags.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/** Runs the dashboard until interrupted; returns the exit code on a startup failure. */
export async function main(args: string[]): Promise<number> {
  let flags;
  try {
    flags = parseDashboardFlags(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`dashboard: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  for (const warning of flags.warnings ?? []) console.error(`dashboard: warning: ${warning}`);
  const cacheDir = new CacheLayout(flags.cacheDir).root;
  if (!LOOPBACK.has(flags.host) && !flags.auth) {
    console.error(
      `dashboard: warning: listening on "${flags.host}" without authentication (--auth-file): anyone who can reach it can read every run, log and output`,
    );
  }
  const app = createApp({ cacheDir, tasks: TASKS, ...(flags.auth ? { auth: flags.auth } : {}) });
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      hostname: flags.host,
      port: flags.port,
      onListen({ hostname, port }) {
        const host = hostname.includes(":") ? `[${hostname}]` : hostname;
        console.log(`dropline dashboard for ${cacheDir}\nListening on http://${host}:${port}/`);
      },
    }, app.fetch);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      console.error(`dashboard: port "${flags.port}" is already in use; pick another with --port`);
      return 1;
    }
    if (error instanceof Error) {
      console.error(`dashboard: cannot listen on "${flags.host}:${flags.port}": ${error.message}`);
      return 1;
    }
    throw error;
  }
  await server.finished;
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
