/**
 * POSIX path helpers with `node:path`'s meaning, for the engine and the CLI.
 *
 * The engine runs stages under bash and Slurm, so paths are POSIX. Written
 * here because importing `node:path`, `node:os` or `node:url` loads part of
 * Deno's Node layer, which costs a no-op run more start-up time than the
 * whole rest of its module graph takes to evaluate.
 *
 * @module
 */

/** `path` with `.` and `..` segments and repeated slashes resolved; `"."` for nothing. */
function normalize(path: string): string {
  const absolute = path.startsWith("/");
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === ".." && segments.length > 0 && segments.at(-1) !== "..") segments.pop();
    else if (segment !== ".." || !absolute) segments.push(segment);
  }
  const joined = segments.join("/");
  return absolute ? `/${joined}` : joined || ".";
}

/**
 * Joins the parts with `/` and normalises the result, keeping a trailing slash.
 *
 * @example
 * ```ts
 * join("cache", "objects/", "../logs"); // "cache/logs"
 * ```
 */
export function join(...parts: string[]): string {
  const given = parts.filter((part) => part !== "");
  if (given.length === 0) return ".";
  const joined = given.join("/");
  const normal = normalize(joined);
  return joined.endsWith("/") && normal !== "/" ? `${normal}/` : normal;
}

/**
 * The absolute path the parts name, read right to left from the working
 * directory, without a trailing slash.
 *
 * @example
 * ```ts
 * resolve("/srv", "cache", "../objects"); // "/srv/objects"
 * ```
 */
export function resolve(...parts: string[]): string {
  let path = "";
  for (let i = parts.length - 1; i >= 0 && !path.startsWith("/"); i--) {
    if (parts[i] !== "") path = path === "" ? parts[i]! : `${parts[i]}/${path}`;
  }
  if (!path.startsWith("/")) path = path === "" ? Deno.cwd() : `${Deno.cwd()}/${path}`;
  return normalize(path);
}

/**
 * The path from `from` to `to` (both resolved first); `""` when they are the same.
 *
 * @example
 * ```ts
 * relative("/srv/cache/objects", "/srv/pipelines/a.yaml"); // "../../pipelines/a.yaml"
 * ```
 */
export function relative(from: string, to: string): string {
  const a = resolve(from).split("/").filter(Boolean);
  const b = resolve(to).split("/").filter(Boolean);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return [...Array(a.length - common).fill(".."), ...b.slice(common)].join("/");
}

/**
 * The directory part of `path` (trailing slashes ignored): `"."` for a bare name.
 *
 * @example
 * ```ts
 * dirname("/srv/cache/journal.db"); // "/srv/cache"
 * ```
 */
export function dirname(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return path === "" ? "." : "/";
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return ".";
  if (slash === 0) return "/";
  return trimmed.slice(0, slash);
}

/** Whether `path` starts at the root. */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/**
 * The file-system path of a `file:` URL (percent-escapes decoded).
 *
 * @example
 * ```ts
 * fileUrlPath("file:///srv/my%20data/a.yaml"); // "/srv/my data/a.yaml"
 * ```
 */
export function fileUrlPath(url: string | URL): string {
  const parsed = typeof url === "string" ? new URL(url) : url;
  if (parsed.protocol !== "file:") throw new TypeError(`Not a file: URL: ${parsed.href}`);
  if (/%2f/i.test(parsed.pathname)) {
    throw new TypeError(`A file: URL's path cannot hold an escaped "/": ${parsed.href}`);
  }
  return decodeURIComponent(parsed.pathname);
}
