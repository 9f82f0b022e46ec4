/**
 * The dashboard's own scripts and styles plus uPlot's dist files, read once
 * from the project and its node_modules: nothing comes from a CDN, so the
 * dashboard works offline.
 */
import { Hono } from "hono";
import { dirname } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { HttpError } from "./http_error.ts";

interface Asset {
  body: Uint8Array;
  type: string;
}

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

function read(path: string): Asset {
  const extension = path.slice(path.lastIndexOf(".") + 1);
  return { body: Deno.readFileSync(path), type: TYPES[extension] ?? "application/octet-stream" };
}

/** Loads every asset into memory, by URL path under /static/. */
export function loadStaticAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const own = fromFileUrl(new URL("./static/", import.meta.url));
  for (const entry of Deno.readDirSync(own)) {
    // Only what a browser loads: `ticks.d.ts` is for the type checker.
    const served = entry.isFile && !entry.name.endsWith(".d.ts");
    if (served) assets.set(entry.name, read(`${own}${entry.name}`));
  }
  // uPlot's package entry point sits in its dist folder, beside the browser builds.
  const uplotDist = dirname(fromFileUrl(import.meta.resolve("uplot")));
  for (const name of ["uPlot.iife.min.js", "uPlot.min.css"]) {
    assets.set(`vendor/${name}`, read(`${uplotDist}/${name}`));
  }
  return assets;
}

/**
 * `GET /static/<name>` and `/static/vendor/<name>` from the loaded assets.
 *
 * @example
 * ```ts
 * app.route("/static", staticRoutes(loadStaticAssets()));
 * ```
 */
export function staticRoutes(assets: Map<string, Asset>): Hono {
  const routes = new Hono();
  routes.get("/*", (c) => {
    const name = new URL(c.req.url).pathname.replace(/^\/static\//, "");
    const asset = assets.get(name);
    if (!asset) throw new HttpError(404, `No asset "${name}"`);
    return c.body(asset.body.slice(), 200, {
      "Content-Type": asset.type,
      "Cache-Control": "public, max-age=60",
    });
  });
  return routes;
}
