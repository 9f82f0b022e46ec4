/**
 * Guards archive extraction against entries that would land outside the
 * output directory ("zip slip"): absolute paths, drive letters, and `..`
 * segments that climb above the root.
 *
 * @example
 * ```ts
 * import { safeEntryPath } from "./safe_entry_path.ts";
 *
 * safeEntryPath("PACS/photo/dog/1.jpg"); // "PACS/photo/dog/1.jpg"
 * safeEntryPath("a/./b/../c.txt"); // "a/c.txt"
 * safeEntryPath("../../etc/passwd"); // null
 * ```
 * @module
 */

/**
 * The entry's path relative to the output directory, normalised (forward
 * slashes, no `.` or `..` segments, no trailing slash), `""` for the root
 * itself, or `null` when the entry would escape the output directory.
 *
 * @example
 * ```ts
 * if (safeEntryPath(name) === null) throw new Error(`Unsafe entry "${name}"`);
 * ```
 */
export function safeEntryPath(name: string): string | null {
  const path = name.replaceAll("\\", "/");
  if (path.includes("\0") || path.startsWith("/") || /^[a-zA-Z]:/.test(path)) return null;
  const kept: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (kept.length === 0) return null;
      kept.pop();
    } else {
      kept.push(segment);
    }
  }
  return kept.join("/");
}
