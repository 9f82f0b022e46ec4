/**
 * Zip extraction on zip.js (central directory, zip64, inflate and CRC-32
 * checks): every name and the declared sizes are checked before anything is
 * written; entries stream to disk, so memory stays bounded.
 */
import { configure, type Entry, Reader, ZipReader } from "@zip.js/zip.js";
import { FetchError } from "./fetch_error.ts";
import type { ExtractBudget } from "./extract_limits.ts";
import { safeEntryPath } from "./safe_entry_path.ts";
import { type ExtractOptions, type ExtractResult, writeEntry } from "./_extract_common.ts";

configure({ useWebWorkers: false });

/** Random access to a file for zip.js, one read at a time (zip.js may ask concurrently). */
class FileReader extends Reader<Deno.FsFile> {
  #file: Deno.FsFile;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: Deno.FsFile, size: number) {
    super(file);
    this.#file = file;
    this.size = size;
  }

  override readUint8Array(offset: number, length: number): Promise<Uint8Array> {
    const read = this.#queue.then(async () => {
      await this.#file.seek(offset, Deno.SeekMode.Start);
      const data = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const n = await this.#file.read(data.subarray(got));
        if (n === null) break;
        got += n;
      }
      return data.subarray(0, got);
    });
    this.#queue = read.catch(() => undefined);
    return read;
  }
}

/** Extracts a zip archive into `outDir`. */
export async function extractZip(
  archive: string,
  outDir: string,
  budget: ExtractBudget,
  options: ExtractOptions,
): Promise<ExtractResult> {
  using file = await Deno.open(archive);
  const reader = new ZipReader(new FileReader(file, (await file.stat()).size), {
    checkSignature: true,
  });
  let entries: Entry[];
  try {
    entries = await reader.getEntries();
  } catch (error) {
    // zip.js refuses unsafe names itself; its error names the entry.
    const name = (error as { filename?: string }).filename;
    throw name === undefined
      ? malformed(archive, (error as Error).message)
      : escapes(archive, name);
  }
  const unsafe = entries.find((entry) => safeEntryPath(entry.filename) === null);
  if (unsafe) throw escapes(archive, unsafe.filename);
  budget.checkDeclared(entries.length, entries.reduce((n, e) => n + e.uncompressedSize, 0));
  const result: ExtractResult = { format: "zip", files: 0, bytes: 0, skipped: [] };
  for (const entry of entries) {
    options.signal?.throwIfAborted();
    budget.entry();
    const relative = safeEntryPath(entry.filename)!;
    if (entry.symlink || entry.encrypted) result.skipped.push(entry.filename);
    else if (entry.directory || relative === "") {
      await Deno.mkdir(`${outDir}/${relative}`, { recursive: true });
    } else {
      const target = `${outDir}/${relative}`;
      const data = entry;
      const written = await writeEntry(
        target,
        budget,
        (sink) => data.getData(sink, { checkSignature: true }),
      ).catch((error) => {
        if (error instanceof FetchError) throw error;
        throw malformed(
          archive,
          error.message === "Invalid CRC32"
            ? `"${entry.filename}" fails its CRC-32 check`
            : `cannot extract "${entry.filename}" (${error.message})`,
        );
      });
      result.files++;
      result.bytes += written;
    }
    options.onProgress?.({ files: result.files, bytes: result.bytes, totalFiles: entries.length });
  }
  await reader.close();
  return result;
}

function escapes(archive: string, name: string): FetchError {
  return new FetchError(
    "archive",
    `Archive "${archive}" has an entry that escapes the output directory: "${name}"; nothing was extracted`,
  );
}

function malformed(archive: string, why: string): FetchError {
  return new FetchError("archive", `Malformed zip "${archive}": ${why}`);
}
