/**
 * The dashboard app: a read-only Hono app over one cache directory. Tests
 * drive it with `app.request()`; `main.ts` serves it.
 */
import { Hono } from "hono";
import { compress } from "hono/compress";
import { CacheLayout, type HeadlineSource, JournalReader } from "@dropline/engine";
import type { DashboardContext } from "./_context.ts";
import { apiRoutes } from "./api_routes.ts";
import { type Credentials, requireCredentials } from "./basic_auth.ts";
import { fileRoutes } from "./file_routes.ts";
import { handleError, handleNotFound } from "./on_error.ts";
import { pageRoutes } from "./page_routes.ts";
import { readOnly } from "./read_only.ts";
import { securityHeaders } from "./security_headers.ts";
import { loadStaticAssets, staticRoutes } from "./static_assets.ts";

/** What the app is built from. */
export interface DashboardDeps {
  /** The cache directory to show (holds journal.db, objects/, logs/). */
  cacheDir: string;
  /** Defaults to a reader of the cache directory's journal. */
  journal?: JournalReader;
  /** Tasks by name: sweep tables show the headline metrics they declare (default none). */
  tasks?: HeadlineSource;
  /** Require HTTP basic auth with these credentials. */
  auth?: Credentials;
  /** Journal polling interval of the live event stream in ms (default 250). */
  pollMs?: number;
  /** Clock (tests pin it). */
  now?: () => number;
}

/**
 * Builds the dashboard app.
 *
 * @example
 * ```ts
 * const app = createApp({ cacheDir: "./cache" });
 * const response = await app.request("/api/runs");
 * ```
 */
export function createApp(deps: DashboardDeps): Hono {
  const layout = new CacheLayout(deps.cacheDir);
  const ctx: DashboardContext = {
    cacheDir: layout.root,
    journal: deps.journal ?? new JournalReader(layout),
    tasks: deps.tasks ?? new Map(),
    now: deps.now ?? Date.now,
    pollMs: deps.pollMs ?? 250,
  };
  const app = new Hono();
  app.use(securityHeaders());
  // A 1,000-expansion sweep's run page is ~1.2 MB of repetitive HTML: gzip takes it to a tenth.
  app.use(compress());
  app.use(readOnly());
  app.use(requireCredentials(deps.auth));
  app.route("/static", staticRoutes(loadStaticAssets()));
  app.route("/files", fileRoutes(ctx));
  app.route("/api", apiRoutes(ctx));
  app.route("/", pageRoutes(ctx));
  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}
