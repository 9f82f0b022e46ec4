/**
 * Digests of a file, streamed (large downloads are never held in memory).
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
  return (await fileDigests(path)).sha256;
}

/**
 * Lowercase hex SHA-256 and MD5 of the file at `path`, in one read. MD5 is
 * only for checking against published checksums that exist in no other form.
 *
 * @example
 * ```ts
 * const { sha256, md5 } = await fileDigests("PACS.zip");
 * ```
 */
export async function fileDigests(path: string): Promise<{ sha256: string; md5: string }> {
  const sha256 = createHash("sha256");
  const md5 = createHash("md5");
  using file = await Deno.open(path);
  for await (const chunk of file.readable) {
    sha256.update(chunk);
    md5.update(chunk);
  }
  return { sha256: sha256.digest("hex"), md5: md5.digest("hex") };
}
