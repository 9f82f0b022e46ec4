import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { CacheError } from "@dropline/engine";
import { renderErrorPage } from "./error_page.ts";
import { HttpError } from "./http_error.ts";

function respond(c: Context, status: number, message: string): Response {
  if (c.req.path.startsWith("/api/")) {
    return c.json({ error: message }, status as 400);
  }
  return c.html(renderErrorPage(status, message), status as 400);
}

/**
 * The app's one error handler: `HttpError`s become their status with their
 * message, a `CacheError` (a damaged journal) a 503 with its message;
 * anything else is logged on the server and shown as a bare 500.
 *
 * @example
 * ```ts
 * app.onError(handleError);
 * ```
 */
export const handleError: ErrorHandler = (error, c) => {
  if (error instanceof HttpError) return respond(c, error.status, error.message);
  // Hono's own exceptions (basic auth's 401) carry their response.
  if (error instanceof HTTPException) return error.getResponse();
  // A damaged journal: the message says how to recover.
  if (error instanceof CacheError) return respond(c, 503, error.message);
  console.error(`dashboard: ${c.req.method} ${c.req.path} failed:`, error);
  return respond(c, 500, "The dashboard could not show this page; the server log has details");
};

/**
 * The 404 page for paths no route matches.
 *
 * @example
 * ```ts
 * app.notFound(handleNotFound);
 * ```
 */
export const handleNotFound: NotFoundHandler = (c) => respond(c, 404, `No page at "${c.req.path}"`);
