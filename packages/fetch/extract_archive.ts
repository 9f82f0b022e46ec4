/**
 * Unpacks zip, tar.gz and tar archives into a directory, refusing entries
 * whose paths would escape it ("zip slip"). Symbolic and hard links are
 * skipped (and reported), so nothing can point outside the directory either.
 * Zip entries are checked against their CRC-32.
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
import { safeEntryPath } from "./safe_entry_path.ts";
import { ByteReader } from "./_byte_reader.ts";
import { crc32 } from "./_crc32.ts";
import { decompressor, readAt, writeAll } from "./_file_range.ts";
import { nextTarEntry, padding, skipData } from "./_tar.ts";
import { listZip, type ZipEntry, zipEntryStream } from "./_zip.ts";

/** Archive formats {@link extractArchive} reads. */
export type ArchiveFormat = "zip" | "tar.gz" | "tar";

/** Options of {@link extractArchive}. */
export interface ExtractOptions {
  /** Default "auto": detected from the file's first bytes. */
  format?: ArchiveFormat | "auto";
  /** Called after each entry. */
  onProgress?: (done: { files: number; bytes: number; totalFiles?: number }) => void;
  signal?: AbortSignal;
}

/** What {@link extractArchive} did. */
export interface ExtractResult {
  format: ArchiveFormat;
  files: number;
  bytes: number;
  /** Entries not extracted (links, devices), by name. */
  skipped: string[];
}

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
  const head = await readAt(file, 0, 512);
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
  return format === "zip"
    ? await extractZip(archive, outDir, options)
    : await extractTar(archive, outDir, format, options);
}

function escapes(archive: string, name: string, stopped: string): FetchError {
  return new FetchError(
    "archive",
    `Archive "${archive}" has an entry that escapes the output directory: "${name}"; ${stopped}`,
  );
}

async function extractZip(
  archive: string,
  outDir: string,
  options: ExtractOptions,
): Promise<ExtractResult> {
  using file = await Deno.open(archive);
  const entries = await listZip(file, archive);
  // Every name is checked before anything is written.
  const unsafe = entries.find((entry) => safeEntryPath(entry.name) === null);
  if (unsafe) throw escapes(archive, unsafe.name, "nothing was extracted");
  const result: ExtractResult = { format: "zip", files: 0, bytes: 0, skipped: [] };
  for (const entry of entries) {
    options.signal?.throwIfAborted();
    const relative = safeEntryPath(entry.name)!;
    if (entry.isSymlink) result.skipped.push(entry.name);
    else if (entry.isDirectory || relative === "") {
      await Deno.mkdir(`${outDir}/${relative}`, { recursive: true });
    } else {
      await writeZipEntry(file, entry, archive, `${outDir}/${relative}`);
      result.files++;
      result.bytes += entry.size;
    }
    options.onProgress?.({ files: result.files, bytes: result.bytes, totalFiles: entries.length });
  }
  return result;
}

async function writeZipEntry(
  file: Deno.FsFile,
  entry: ZipEntry,
  archive: string,
  target: string,
): Promise<void> {
  await Deno.mkdir(parentOf(target), { recursive: true });
  const stream = await zipEntryStream(file, entry, archive);
  using out = await Deno.open(target, { write: true, create: true, truncate: true });
  let crc = 0;
  let size = 0;
  try {
    for await (const chunk of stream) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      await writeAll(out, chunk);
    }
  } catch (error) {
    throw new FetchError(
      "archive",
      `Malformed zip "${archive}": cannot inflate "${entry.name}" (${(error as Error).message})`,
    );
  }
  if (crc !== entry.crc || size !== entry.size) {
    throw new FetchError(
      "archive",
      `Malformed zip "${archive}": "${entry.name}" fails its CRC-32 check`,
    );
  }
}

async function extractTar(
  archive: string,
  outDir: string,
  format: "tar" | "tar.gz",
  options: ExtractOptions,
): Promise<ExtractResult> {
  const file = await Deno.open(archive);
  const raw = file.readable;
  const reader = new ByteReader(
    format === "tar.gz" ? raw.pipeThrough(decompressor("gzip")) : raw,
  );
  const result: ExtractResult = { format, files: 0, bytes: 0, skipped: [] };
  try {
    for (
      let entry = await nextTarEntry(reader, archive);
      entry;
      entry = await nextTarEntry(reader, archive)
    ) {
      options.signal?.throwIfAborted();
      const relative = safeEntryPath(entry.name);
      if (relative === null) throw escapes(archive, entry.name, "extraction stopped");
      if (entry.kind === "directory" || (entry.kind === "file" && relative === "")) {
        await Deno.mkdir(`${outDir}/${relative}`, { recursive: true });
        await skipData(reader, entry.size, archive);
      } else if (entry.kind === "file") {
        await writeTarEntry(reader, entry.size, archive, `${outDir}/${relative}`);
        result.files++;
        result.bytes += entry.size;
      } else {
        result.skipped.push(entry.name);
        await skipData(reader, entry.size, archive);
      }
      options.onProgress?.({ files: result.files, bytes: result.bytes });
    }
  } catch (error) {
    if (error instanceof TypeError) {
      throw new FetchError("archive", `Malformed ${format} "${archive}": ${error.message}`);
    }
    throw error;
  } finally {
    await reader.cancel();
  }
  return result;
}

async function writeTarEntry(
  reader: ByteReader,
  size: number,
  archive: string,
  target: string,
): Promise<void> {
  await Deno.mkdir(parentOf(target), { recursive: true });
  using out = await Deno.open(target, { write: true, create: true, truncate: true });
  let left = size;
  while (left > 0) {
    const chunk = await reader.readSome(Math.min(left, 1 << 20));
    if (!chunk) throw new FetchError("archive", `Malformed tar "${archive}": truncated entry`);
    await writeAll(out, chunk);
    left -= chunk.length;
  }
  await reader.skip(padding(size));
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}
