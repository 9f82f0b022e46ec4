/**
 * Content digests of local input files behind a stat cache (path, size,
 * mtime, inode), so an unchanged file is never read twice.
 */
import { join } from "../util/posix_path.ts";
import { hashFile, statOf, walkFiles } from "./hash_file.ts";
import { contentDigest, type ManifestFile } from "./manifest.ts";

/** What the stat cache remembers of a file. */
export interface CachedStat {
  size: number;
  mtime: number;
  ino: number;
  digest: string;
}

/** Where digests are remembered across runs (the journal's `file_stats`). */
export interface StatCache {
  get(path: string): CachedStat | undefined;
  /** Remembers a digest; a read-only cache ignores it. */
  put(path: string, stat: CachedStat): void;
}

/** Digests local files and directories, remembering them in a stat cache. */
export class FileDigests {
  #cache: StatCache | undefined;
  #memo = new Map<string, string>();
  #skipDir: string | undefined;

  /**
   * Without a cache, every file is read once per instance. `skipDir` (the
   * cache directory) is left out of any input directory holding it: it
   * changes with every run, so an input such as `.` would never be current.
   */
  constructor(cache?: StatCache, skipDir?: string) {
    this.#cache = cache;
    this.#skipDir = skipDir;
  }

  /**
   * Digest of a file, or of a directory's files (paths and contents).
   * Throws `Deno.errors.NotFound` when the path does not exist.
   *
   * @example
   * ```ts
   * const digest = await new FileDigests(journal.fileStats).digest("/abs/data.csv");
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
    for (const file of await walkFiles(root, undefined, this.#skipDir)) {
      const info = await Deno.stat(join(root, file.path));
      files.push({ ...file, sha256: await this.#file(join(root, file.path), info) });
    }
    return contentDigest(files);
  }

  async #file(path: string, info: Deno.FileInfo): Promise<string> {
    const now = statOf(path, info);
    const cached = this.#cache?.get(path);
    if (
      cached && cached.size === now.size && cached.mtime === now.mtime && cached.ino === now.ino
    ) {
      return cached.digest;
    }
    const digest = await hashFile(path, now.size);
    this.#cache?.put(path, { size: now.size, mtime: now.mtime, ino: now.ino, digest });
    return digest;
  }
}
