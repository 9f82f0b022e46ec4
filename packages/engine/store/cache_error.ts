/**
 * A cache directory or run journal that cannot be used: the CLI and the
 * dashboard show its message (which says what to do) without a stack trace.
 *
 * @example
 * ```ts
 * throw new CacheError(`Cache directory "/data/c" is a file, not a directory`);
 * ```
 */
export class CacheError extends Error {
  override name = "CacheError";
}

/**
 * Throws a {@linkcode CacheError} when `root` exists but is not a directory.
 *
 * @example
 * ```ts
 * assertCacheDir("/abs/cache"); // fine when missing or a directory
 * ```
 */
export function assertCacheDir(root: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(root);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    if (error instanceof Deno.errors.NotADirectory) throw notADirectory(root);
    throw new CacheError(`Cannot use cache directory "${root}": ${(error as Error).message}`);
  }
  if (!info.isDirectory) throw notADirectory(root);
}

function notADirectory(root: string): CacheError {
  return new CacheError(
    `Cache directory "${root}" is not a directory (it or a parent is a file): ` +
      `pass --cache-dir a directory, or move the file away`,
  );
}
