import { Hono } from "hono";
import type { DashboardContext } from "./_context.ts";
import { resolveStoreFile } from "./safe_path.ts";

const TYPES: Record<string, string> = {
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  json: "application/json",
  // Text-like files are served as plain text, never as HTML.
  md: "text/plain; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  log: "text/plain; charset=utf-8",
  csv: "text/plain; charset=utf-8",
  jsonl: "text/plain; charset=utf-8",
  yaml: "text/plain; charset=utf-8",
  html: "text/plain; charset=utf-8",
};

/** Content type by extension; unknown files download as bytes. */
export function contentTypeOf(path: string): string {
  const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  return TYPES[extension] ?? "application/octet-stream";
}

/**
 * `GET /files/objects/...` and `/files/logs/...`: files from the store, and
 * nothing else (see `resolveStoreFile`). Responses are sandboxed so that an
 * SVG or other active file from a pipeline cannot run script in the
 * dashboard's origin.
 *
 * @example
 * ```ts
 * app.route("/files", fileRoutes(ctx));
 * ```
 */
export function fileRoutes(ctx: DashboardContext): Hono {
  const files = new Hono();
  files.get("/*", async (c) => {
    // The raw path: percent-decoding is done by resolveStoreFile, segment by segment.
    const pathname = new URL(c.req.url).pathname;
    const rawPath = pathname.replace(/^\/files\//, "");
    const path = await resolveStoreFile(ctx.cacheDir, rawPath);
    const size = (await Deno.stat(path)).size;
    const headers = new Headers({
      "Content-Type": contentTypeOf(path),
      "Content-Length": String(size),
      "Content-Security-Policy":
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      "Cache-Control": "no-cache",
    });
    if (c.req.query("download") !== undefined) {
      const name = path.slice(path.lastIndexOf("/") + 1);
      headers.set(
        "Content-Disposition",
        `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
      );
    }
    if (c.req.method === "HEAD") return new Response(null, { headers });
    const file = await Deno.open(path, { read: true });
    return new Response(file.readable, { headers });
  });
  return files;
}
