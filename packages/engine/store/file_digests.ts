/**
 * Content digests of local input files behind a stat cache (path, size,
 * mtime, inode), so an unchanged file is never read twice.
 */
import type { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { hashFile, statOf, walkFiles } from "./hash_file.ts";
import { contentDigest, type ManifestFile } from "./manifest.ts";

interface CachedStat {
  size: number;
  mtime: number;
  ino: number;
  digest: string;
}

/** Digests local files and directories, remembering them in the journal's `file_stats`. */
export class FileDigests {
  #db: DatabaseSync | undefined;
  #writable: boolean;
  #memo = new Map<string, string>();

  constructor(db: DatabaseSync | undefined, writable: boolean) {
    this.#db = db;
    this.#writable = writable;
  }

  /**
   * Digest of a file, or of a directory's files (paths and contents).
   * Throws `Deno.errors.NotFound` when the path does not exist.
   *
   * @example
   * ```ts
   * const digest = await new FileDigests(db, true).digest("/abs/data.csv");
   * ```
   */
  async digest(path: string): Promise<string> {
    const memo = this.#memo.get(path);
    if (memo) return memo;
    const info = await Deno.stat(path);
    const digest = info.isDirectory ? await this.#directory(path) : await this.#file(path, info);
    this.#memo.set(path, digest);
    return digest;
  }

  async #directory(root: string): Promise<string> {
    const files: ManifestFile[] = [];
    for (const file of await walkFiles(root)) {
      const info = await Deno.stat(join(root, file.path));
      files.push({ ...file, sha256: await this.#file(join(root, file.path), info) });
    }
    return contentDigest(files);
  }

  async #file(path: string, info: Deno.FileInfo): Promise<string> {
    const now = statOf(path, info);
    const cached = this.#db?.prepare(
      "SELECT size, mtime, ino, digest FROM file_stats WHERE path = ?",
    ).get(path) as
      | CachedStat
      | undefined;
    if (
      cached && cached.size === now.size && cached.mtime === now.mtime && cached.ino === now.ino
    ) {
      return cached.digest;
    }
    const digest = await hashFile(path, now.size);
    if (this.#writable) {
      this.#db?.prepare(
        "INSERT OR REPLACE INTO file_stats (path, size, mtime, ino, digest) VALUES (?, ?, ?, ?, ?)",
      ).run(path, now.size, now.mtime, now.ino, digest);
    }
    return digest;
  }
}
