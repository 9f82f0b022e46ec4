/**
 * Writes a `.npy` file row by row, when the number of rows is only known at
 * the end (images that fail to decode are skipped, say). The header is
 * reserved up front and rewritten in place by `close()`.
 *
 * @example
 * ```ts
 * import { createNpyWriter } from "./npy_writer.ts";
 *
 * const writer = await createNpyWriter("images.npy", { dtype: "uint8", rowShape: [28, 28, 1] });
 * await writer.append(new Uint8Array(28 * 28));
 * const rows = await writer.close(); // 1
 * ```
 * @module
 */
import { DTYPES } from "./_npy_dtypes.ts";
import { encodeNpyHeader } from "./_npy_header.ts";
import { type NpyData, type NpyDtype, shapeSize } from "./npy.ts";

/** Options of {@link createNpyWriter}. */
export interface NpyWriterOptions {
  dtype: NpyDtype;
  /** Shape of one row; the file's shape is `[rows, ...rowShape]`. */
  rowShape: number[];
}

/** A `.npy` file being written. */
export interface NpyWriter {
  /** Appends one or more whole rows. */
  append(rows: NpyData): Promise<void>;
  /** Rows appended so far. */
  readonly rows: number;
  /** Writes the final header and closes the file; returns the row count. */
  close(): Promise<number>;
}

// Room for the largest row count a header can need, so the rewrite fits.
const MAX_ROWS = 1e15;

/**
 * Creates (or replaces) a `.npy` file to append rows to.
 *
 * @example
 * ```ts
 * const w = await createNpyWriter("f.npy", { dtype: "float32", rowShape: [4] });
 * await w.append(new Float32Array(8)); // two rows
 * await w.close();
 * ```
 */
export async function createNpyWriter(path: string, options: NpyWriterOptions): Promise<NpyWriter> {
  const { dtype, rowShape } = options;
  const rowLength = shapeSize(rowShape);
  const reserved = encodeNpyHeader(dtype, [MAX_ROWS, ...rowShape]).length;
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  await writeAll(file, encodeNpyHeader(dtype, [0, ...rowShape], reserved));
  let rows = 0;
  return {
    get rows() {
      return rows;
    },
    async append(data) {
      if (!(data instanceof DTYPES[dtype].ctor)) {
        throw new TypeError(`Rows of dtype "${dtype}" must be a ${DTYPES[dtype].ctor.name}`);
      }
      if (rowLength === 0 || data.length % rowLength !== 0) {
        throw new RangeError(`Expected a multiple of ${rowLength} elements, got ${data.length}`);
      }
      await writeAll(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      rows += data.length / rowLength;
    },
    async close() {
      try {
        await file.seek(0, Deno.SeekMode.Start);
        await writeAll(file, encodeNpyHeader(dtype, [rows, ...rowShape], reserved));
      } finally {
        file.close();
      }
      return rows;
    },
  };
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}
