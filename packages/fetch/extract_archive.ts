/**
 * Unpacks zip, tar.gz and tar archives into a directory, refusing entries
 * whose paths would escape it ("zip slip"). Symbolic and hard links are
 * skipped (and reported), so nothing can point outside the directory either.
 * Zip entries are checked against their CRC-32. What an archive may write is
 * limited (bytes, entries, expansion ratio: see `extract_limits.ts`).
 * The formats themselves are read by maintained libraries (zip.js, modern-tar).
 *
 * @example
 * ```ts
 * import { extractArchive } from "./extract_archive.ts";
 *
 * const { files, skipped } = await extractArchive("PACS.zip", outDir, { format: "auto" });
 * ```
 * @module
 */
import { FetchError } from "./fetch_error.ts";
import { ExtractBudget, extractLimitsFromEnv } from "./extract_limits.ts";
import type { ArchiveFormat, ExtractOptions, ExtractResult } from "./_extract_common.ts";
import { extractTar } from "./_extract_tar.ts";
import { extractZip } from "./_extract_zip.ts";

export type { ArchiveFormat, ExtractOptions, ExtractResult } from "./_extract_common.ts";

/**
 * The archive format from a file's first bytes, or null when it is none of
 * zip, gzip (taken as tar.gz) or tar.
 *
 * @example
 * ```ts
 * const format = await detectArchiveFormat("download.bin"); // "zip"
 * ```
 */
export async function detectArchiveFormat(path: string): Promise<ArchiveFormat | null> {
  using file = await Deno.open(path);
  const head = new Uint8Array(512);
  for (let got = 0; got < head.length;) {
    const n = await file.read(head.subarray(got));
    if (n === null) break;
    got += n;
  }
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5)) return "zip";
  if (head[0] === 0x1f && head[1] === 0x8b) return "tar.gz";
  if (new TextDecoder().decode(head.subarray(257, 262)) === "ustar") return "tar";
  return null;
}

/**
 * Extracts `archive` into `outDir` (created if missing). Throws
 * {@link FetchError} (kind "archive") for malformed or unsafe archives.
 *
 * @example
 * ```ts
 * await extractArchive("/tmp/data.tar.gz", "/tmp/data", { format: "tar.gz" });
 * ```
 */
export async function extractArchive(
  archive: string,
  outDir: string,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  let format = options.format ?? "auto";
  if (format === "auto") {
    const detected = await detectArchiveFormat(archive);
    if (!detected) {
      throw new FetchError(
        "archive",
        `Cannot extract "${archive}": it is not a zip, tar.gz or tar archive`,
      );
    }
    format = detected;
  }
  await Deno.mkdir(outDir, { recursive: true });
  const budget = new ExtractBudget(
    archive,
    (await Deno.stat(archive)).size,
    options.limits ?? extractLimitsFromEnv(),
  );
  return format === "zip"
    ? await extractZip(archive, outDir, budget, options)
    : await extractTar(archive, outDir, format, budget, options);
}
