/**
 * Resuming `extract_features` between batches: every finished batch's rows
 * are appended to `rows.f32` in the checkpoint directory, then `rows.json`
 * records how many rows are complete (written to a temporary file and
 * renamed, so it never names rows that are not on disk). A re-run of the same
 * stage key reads the complete rows back and starts at the next image; bytes
 * of a batch that was cut short are dropped. A ResNet-50 over PACS takes
 * minutes on a CPU: an interruption costs at most one batch.
 */

/** Rows already extracted, and where the next ones go. */
export interface ExtractCheckpoint {
  /** Complete rows on disk (0 on a fresh start). */
  readonly rows: number;
  /** Values per row, null until known. */
  readonly dimension: number | null;
  /** Their values (`rows` x dimension), or null on a fresh start. */
  readonly done: Float32Array | null;
  /** Appends a batch's rows of `dimension` values and records them as complete. */
  append(values: Float32Array, dimension: number): Promise<void>;
  close(): void;
}

interface Progress {
  rows: number;
  dimension: number;
}

/**
 * Opens (or starts) the checkpoint in `dir`.
 *
 * @example
 * ```ts
 * const checkpoint = await openExtractCheckpoint(ctx.checkpointDir);
 * for (let start = checkpoint.rows; start < total; start += batch) {
 *   await checkpoint.append(features, dimension);
 * }
 * ```
 */
export async function openExtractCheckpoint(dir: string): Promise<ExtractCheckpoint> {
  const progress = await readProgress(`${dir}/rows.json`);
  const path = `${dir}/rows.f32`;
  const file = await Deno.open(path, { read: true, write: true, create: true });
  let rows = progress?.rows ?? 0;
  let dimension = progress?.dimension ?? null;
  let done: Float32Array | null = null;
  if (dimension !== null && rows > 0) {
    const bytes = rows * dimension * 4;
    done = new Float32Array(rows * dimension);
    const into = new Uint8Array(done.buffer);
    let filled = 0;
    while (filled < bytes) {
      const n = await file.read(into.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    if (filled < bytes) {
      // The record outlived its rows (not expected): start over.
      [rows, dimension, done] = [0, null, null];
    }
  }
  await file.truncate(rows * (dimension ?? 0) * 4);
  await file.seek(0, Deno.SeekMode.End);
  return {
    get rows() {
      return rows;
    },
    get dimension() {
      return dimension;
    },
    done,
    async append(values, d) {
      if (dimension !== null && d !== dimension) {
        throw new RangeError(`Feature rows of ${d} values follow rows of ${dimension}`);
      }
      dimension = d;
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      for (let written = 0; written < bytes.length;) {
        written += await file.write(bytes.subarray(written));
      }
      await file.syncData();
      rows += values.length / d;
      await writeProgress(dir, { rows, dimension });
    },
    close: () => file.close(),
  };
}

async function readProgress(path: string): Promise<Progress | null> {
  try {
    const value = JSON.parse(await Deno.readTextFile(path));
    const ok = Number.isSafeInteger(value?.rows) && Number.isSafeInteger(value?.dimension) &&
      value.rows >= 0 && value.dimension > 0;
    return ok ? value : null;
  } catch {
    return null;
  }
}

async function writeProgress(dir: string, progress: Progress): Promise<void> {
  await Deno.writeTextFile(`${dir}/rows.json.tmp`, JSON.stringify(progress));
  await Deno.rename(`${dir}/rows.json.tmp`, `${dir}/rows.json`);
}
