/**
 * Content digests of files and directories (SHA-256, hex).
 */
import { join } from "../util/posix_path.ts";

const SMALL_FILE = 1 << 20;

/**
 * Digest of one file's bytes, streamed so large files use little memory.
 *
 * @example
 * ```ts
 * const digest = await hashFile("data.csv");
 * ```
 */
export async function hashFile(path: string, size?: number): Promise<string> {
  const hash = (await nodeCrypto()).createHash("sha256");
  if ((size ?? (await Deno.stat(path)).size) <= SMALL_FILE) {
    // Small files are read synchronously: cheaper than a trip to the I/O pool.
    hash.update(Deno.readFileSync(path));
    return hash.digest("hex");
  }
  using file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

let crypto: Promise<typeof import("node:crypto")> | undefined;

/**
 * `node:crypto`, imported when a file is first hashed: it loads Deno's Node
 * compatibility layer (about 45 ms here), which a run that reuses every
 * result never needs.
 */
function nodeCrypto(): Promise<typeof import("node:crypto")> {
  return crypto ??= import("node:crypto");
}

/** A regular file under a directory, with its stat. */
export interface WalkedFile {
  /** Path relative to the walked root, with "/" separators. */
  path: string;
  size: number;
  mtime: number;
  ino: number;
}

/**
 * Every file under `root` (following symlinks), sorted by path. `linked`, if
 * given, receives the paths reached through a symlink; the directory
 * `skipDir` (a path as `join(root, ...)` spells it) is not entered.
 *
 * @example
 * ```ts
 * for (const file of await walkFiles("out")) console.log(file.path, file.size);
 * ```
 */
export async function walkFiles(
  root: string,
  linked?: Set<string>,
  skipDir?: string,
): Promise<WalkedFile[]> {
  const files: WalkedFile[] = [];
  // Metadata calls are synchronous: outputs are usually a few small files,
  // and per-stage overhead matters for large pipelines of trivial stages.
  const visit = (relative: string, viaLink: boolean) => {
    for (const entry of Deno.readDirSync(join(root, relative))) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const info = Deno.statSync(join(root, rel));
      const link = viaLink || entry.isSymlink;
      if (info.isDirectory) {
        if (join(root, rel) !== skipDir) visit(rel, link);
      } else if (info.isFile) {
        files.push(statOf(rel, info));
        if (link) linked?.add(rel);
      }
    }
  };
  visit("", false);
  await Promise.resolve();
  return files.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** The stat fields the store and the stat cache compare. */
export function statOf(path: string, info: Deno.FileInfo): WalkedFile {
  return { path, size: info.size, mtime: info.mtime?.getTime() ?? 0, ino: info.ino ?? 0 };
}
