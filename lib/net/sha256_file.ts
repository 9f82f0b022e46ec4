/**
 * The SHA-256 of a file, streamed (large downloads are never held in memory).
 *
 * @example
 * ```ts
 * import { sha256File } from "./sha256_file.ts";
 *
 * const hex = await sha256File("PACS.zip"); // 64 lowercase hex digits
 * ```
 * @module
 */
import { createHash } from "node:crypto";

/**
 * Lowercase hex SHA-256 of the file at `path`.
 *
 * @example
 * ```ts
 * if (await sha256File(path) !== expected) throw new Error("Corrupt download");
 * ```
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}
