/**
 * Tar and tar.gz extraction on modern-tar's streaming decoder (and the
 * platform's gzip): entries stream to disk, so memory stays bounded. A tar has
 * no index, so an entry escaping the output directory stops the extraction
 * where it is found.
 */
import { createTarDecoder } from "modern-tar";
import { FetchError } from "./fetch_error.ts";
import type { ExtractBudget } from "./extract_limits.ts";
import { safeEntryPath } from "./safe_entry_path.ts";
import { type ExtractOptions, type ExtractResult, writeEntry } from "./_extract_common.ts";

/** Extracts a tar or tar.gz archive into `outDir`. */
export async function extractTar(
  archive: string,
  outDir: string,
  format: "tar" | "tar.gz",
  budget: ExtractBudget,
  options: ExtractOptions,
): Promise<ExtractResult> {
  const file = await Deno.open(archive);
  const bytes = format === "tar.gz"
    ? file.readable.pipeThrough(new DecompressionStream("gzip"))
    : file.readable;
  const entries = bytes.pipeThrough(createTarDecoder({ strict: true }));
  const result: ExtractResult = { format, files: 0, bytes: 0, skipped: [] };
  try {
    for await (const { header, body } of entries) {
      options.signal?.throwIfAborted();
      budget.entry();
      const relative = safeEntryPath(header.name);
      if (relative === null) {
        throw new FetchError(
          "archive",
          `Archive "${archive}" has an entry that escapes the output directory: "${header.name}"; extraction stopped`,
        );
      }
      const type = header.type ?? "file";
      if (type === "directory" || (type === "file" && relative === "")) {
        await Deno.mkdir(`${outDir}/${relative}`, { recursive: true });
        await body.cancel();
      } else if (type === "file") {
        result.bytes += await writeEntry(
          `${outDir}/${relative}`,
          budget,
          (sink) => body.pipeTo(sink),
        );
        result.files++;
      } else {
        result.skipped.push(header.name);
        await body.cancel();
      }
      options.onProgress?.({ files: result.files, bytes: result.bytes });
    }
  } catch (error) {
    if (error instanceof FetchError || error instanceof DOMException) throw error;
    throw new FetchError(
      "archive",
      `Malformed ${format} "${archive}": ${(error as Error).message}`,
    );
  } finally {
    await entries.cancel().catch(() => {});
  }
  return result;
}
