/**
 * Security headers on every response, by Hono's `secureHeaders`: scripts only
 * from the dashboard itself, nothing from elsewhere, so even a string that
 * slipped past escaping could not run inline script.
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/**
 * Middleware adding a content security policy, `nosniff`, `no-referrer` and
 * Hono's other defaults to responses that do not set their own (file routes
 * serve outputs with a stricter, sandboxing policy).
 *
 * @example
 * ```ts
 * app.use(securityHeaders());
 * ```
 */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
    xFrameOptions: "DENY",
    // The dashboard does not know whether a proxy in front of it speaks TLS.
    strictTransportSecurity: false,
    overwrite: false,
  });
}
