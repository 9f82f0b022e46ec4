/**
 * Maps a requested file path to a file inside the store, refusing anything
 * that could reach outside it: `..`, `.`, empty segments (absolute paths),
 * encoded separators or traversal, NUL bytes, and symbolic links whose target
 * lies outside the allowed root.
 */
import { CACHE_ENTRIES } from "@dropline/engine";
import { HttpError } from "./http_error.ts";

/** The cache sub-directories that file routes may serve from: outputs and logs, nothing else. */
export const FILE_ROOTS = [CACHE_ENTRIES.objects, CACHE_ENTRIES.logs] as const;
export type FileRoot = typeof FILE_ROOTS[number];

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `Path segment "${segment}" is not valid percent-encoding`);
  }
}

/**
 * Splits a raw (still percent-encoded) path such as `objects/ab/cd/model.json`
 * into its root and decoded segments, or throws a 400 `HttpError`.
 *
 * @example
 * ```ts
 * parseStorePath("objects/ab%20c/x.txt"); // { root: "objects", segments: ["ab c", "x.txt"] }
 * parseStorePath("objects/../journal.db"); // throws
 * ```
 */
export function parseStorePath(rawPath: string): { root: FileRoot; segments: string[] } {
  const [rawRoot, ...rawSegments] = rawPath.split("/");
  const root = decodeSegment(rawRoot ?? "");
  if (!(FILE_ROOTS as readonly string[]).includes(root)) {
    throw new HttpError(
      400,
      `Files are served only from ${FILE_ROOTS.map((r) => `"${r}"`).join(" and ")}`,
    );
  }
  if (rawSegments.length === 0) throw new HttpError(400, "A file path is required");
  const segments = rawSegments.map(decodeSegment);
  for (const segment of segments) {
    if (segment === "" || segment === "." || segment === ".." || /[/\\\0]/.test(segment)) {
      throw new HttpError(400, `Path segment "${segment}" is not allowed`);
    }
  }
  return { root: root as FileRoot, segments };
}

/**
 * Resolves a raw requested path to an absolute, real file path inside
 * `<cacheDir>/<root>`. Throws 400 for a refused path and 404 when there is no
 * such regular file.
 *
 * @example
 * ```ts
 * const file = await resolveStoreFile("/home/me/cache", "logs/run1/train.log");
 * ```
 */
export async function resolveStoreFile(cacheDir: string, rawPath: string): Promise<string> {
  const { root, segments } = parseStorePath(rawPath);
  const missing = new HttpError(404, `File "${segments.join("/")}" does not exist`);
  let rootReal: string;
  let fileReal: string;
  try {
    rootReal = await Deno.realPath(`${cacheDir}/${root}`);
    fileReal = await Deno.realPath(`${rootReal}/${segments.join("/")}`);
  } catch {
    throw missing;
  }
  if (!fileReal.startsWith(`${rootReal}/`)) {
    throw new HttpError(400, `File "${segments.join("/")}" lies outside the store`);
  }
  const info = await Deno.stat(fileReal);
  if (!info.isFile) throw missing;
  return fileReal;
}

/**
 * The URL of a file route for an absolute path inside the cache, or null when
 * the path is not inside an allowed root.
 *
 * @example
 * ```ts
 * fileHref("/c", "/c/objects/ab/x.svg"); // "/files/objects/ab/x.svg"
 * ```
 */
export function fileHref(cacheDir: string, absolutePath: string): string | null {
  const base = cacheDir.replace(/\/+$/, "");
  for (const root of FILE_ROOTS) {
    const prefix = `${base}/${root}/`;
    if (absolutePath.startsWith(prefix)) {
      const rest = absolutePath.slice(prefix.length).split("/");
      if (rest.some((s) => s === ".." || s === "." || s === "")) return null;
      return `/files/${root}/${rest.map(encodeURIComponent).join("/")}`;
    }
  }
  return null;
}
