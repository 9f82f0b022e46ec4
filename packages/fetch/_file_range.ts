/** Reads exactly `length` bytes at `offset` (fewer only at the end of the file). */
export async function readAt(
  file: Deno.FsFile,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  await file.seek(offset, Deno.SeekMode.Start);
  let got = 0;
  while (got < length) {
    const n = await file.read(out.subarray(got));
    if (n === null) break;
    got += n;
  }
  return out.subarray(0, got);
}

/** A stream of the bytes `[offset, offset + length)` of a file, read in chunks. */
export function rangeStream(
  file: Deno.FsFile,
  offset: number,
  length: number,
): ReadableStream<Uint8Array> {
  const CHUNK = 1 << 20;
  let position = offset;
  const end = offset + length;
  return new ReadableStream({
    async pull(controller) {
      if (position >= end) return controller.close();
      const bytes = await readAt(file, position, Math.min(CHUNK, end - position));
      if (bytes.length === 0) return controller.error(new Error("Unexpected end of file"));
      position += bytes.length;
      controller.enqueue(bytes);
    },
  });
}

/** Writes all of `bytes`. */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}

/** A byte-stream decompressor (typed for `pipeThrough` of Uint8Array streams). */
export function decompressor(
  format: "gzip" | "deflate-raw",
): TransformStream<Uint8Array, Uint8Array> {
  return new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>;
}
