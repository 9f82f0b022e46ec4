import type { MiddlewareHandler } from "hono";
import { HttpError } from "./http_error.ts";

/**
 * Middleware that lets only GET and HEAD through: the dashboard is a view,
 * anything else gets 405 with `Allow: GET, HEAD`.
 *
 * @example
 * ```ts
 * app.use(readOnly());
 * ```
 */
export function readOnly(): MiddlewareHandler {
  return async function readOnlyGuard(c, next) {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      c.header("Allow", "GET, HEAD");
      throw new HttpError(
        405,
        `Method "${c.req.method}" is not allowed: the dashboard is read-only`,
      );
    }
    await next();
  };
}
