import type { MiddlewareHandler } from "hono";
import { basicAuth } from "hono/basic-auth";

/** A user name and password for HTTP basic authentication. */
export interface Credentials {
  user: string;
  password: string;
}

/**
 * Middleware requiring the given credentials (HTTP basic auth), or letting
 * every request through when there are none.
 *
 * @example
 * ```ts
 * app.use(requireCredentials({ user: "ada", password: "secret" }));
 * ```
 */
export function requireCredentials(credentials: Credentials | undefined): MiddlewareHandler {
  if (!credentials) {
    return async function noAuth(_c, next) {
      await next();
    };
  }
  return basicAuth({
    username: credentials.user,
    password: credentials.password,
    realm: "dropline dashboard",
  });
}
