/**
 * What the zip and tar extractors share: their options and result, and
 * writing one entry's bytes to disk under the extraction budget.
 */
import type { ExtractBudget, ExtractLimits } from "./extract_limits.ts";

/** Archive formats `extractArchive` reads. */
export type ArchiveFormat = "zip" | "tar.gz" | "tar";

/** Options of `extractArchive`. */
export interface ExtractOptions {
  /** Default "auto": detected from the file's first bytes. */
  format?: ArchiveFormat | "auto";
  /** Default: {@link extractLimitsFromEnv}. */
  limits?: ExtractLimits;
  /** Called after each entry. */
  onProgress?: (done: { files: number; bytes: number; totalFiles?: number }) => void;
  signal?: AbortSignal;
}

/** What `extractArchive` did. */
export interface ExtractResult {
  format: ArchiveFormat;
  files: number;
  bytes: number;
  /** Entries not extracted (links, devices, encrypted entries), by name. */
  skipped: string[];
}

/**
 * Writes an entry to `target` through `produce`, which pipes its bytes into
 * the given stream; each chunk is counted against `budget` before it is
 * written. Returns the bytes written.
 */
export async function writeEntry(
  target: string,
  budget: ExtractBudget,
  produce: (sink: WritableStream<Uint8Array>) => Promise<unknown>,
): Promise<number> {
  await Deno.mkdir(target.slice(0, target.lastIndexOf("/")) || "/", { recursive: true });
  using out = await Deno.open(target, { write: true, create: true, truncate: true });
  let written = 0;
  const sink = new WritableStream<Uint8Array>({
    async write(chunk) {
      budget.write(chunk.length);
      for (let done = 0; done < chunk.length;) done += await out.write(chunk.subarray(done));
      written += chunk.length;
    },
  });
  await produce(sink);
  return written;
}
