/** Reading a stage log in chunks, for the stage page and its live tail. */

/** A chunk of a log: text from byte `from` up to byte `next`. */
export interface LogChunk {
  text: string;
  from: number;
  next: number;
  /** Size of the file when read. */
  size: number;
  /** True when the log does not exist (yet). */
  missing: boolean;
}

/**
 * Reads up to `maxBytes` of a log from byte `from`; without `from`, the last
 * `maxBytes` starting at a line boundary. A chunk ends after its last newline
 * (unless it holds none) so a line, or a UTF-8 sequence, is never split.
 *
 * @example
 * ```ts
 * let chunk = await readLogChunk(path);            // the tail
 * chunk = await readLogChunk(path, chunk.next);    // what was appended since
 * ```
 */
export async function readLogChunk(
  path: string | null,
  from?: number,
  maxBytes = 64 * 1024,
): Promise<LogChunk> {
  const start = from ?? 0;
  if (path === null) return { text: "", from: start, next: start, size: 0, missing: true };
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    return { text: "", from: start, next: start, size: 0, missing: true };
  }
  try {
    const size = (await file.stat()).size;
    const tail = from === undefined;
    const begin = Math.min(tail ? Math.max(0, size - maxBytes) : start, size);
    const bytes = await readAt(file, begin, Math.min(maxBytes, size - begin));
    let body = bytes;
    let skipped = 0;
    if (tail && begin > 0) {
      // Start the tail at a line boundary.
      skipped = bytes.indexOf(10) + 1;
      body = bytes.subarray(skipped);
    }
    const lastNewline = body.lastIndexOf(10);
    const kept = lastNewline >= 0 ? body.subarray(0, lastNewline + 1) : body;
    const text = new TextDecoder().decode(kept);
    return {
      text,
      from: begin + skipped,
      next: begin + skipped + kept.length,
      size,
      missing: false,
    };
  } finally {
    file.close();
  }
}

async function readAt(file: Deno.FsFile, offset: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(Math.max(0, length));
  await file.seek(offset, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < buffer.length) {
    const n = await file.read(buffer.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}
