/**
 * Reads ranges of rows (slices along the first axis) of a `.npy` file without
 * loading the whole file: how a stage walks a large `images.npy` in batches.
 *
 * @example
 * ```ts
 * import { openNpy } from "./npy_reader.ts";
 *
 * const images = await openNpy("images.npy");
 * try {
 *   const batch = await images.readRows(0, 32); // shape [32, H, W, C]
 * } finally {
 *   images.close();
 * }
 * ```
 * @module
 */
import { decodeNpyHeader, dtypeSize, type NpyArray, type NpyHeader, shapeSize } from "./npy.ts";
import { typedArrayFrom } from "./npy.ts";

/** An open `.npy` file. */
export interface NpyReader {
  readonly header: NpyHeader;
  /** Length of the first axis. */
  readonly rows: number;
  /** Shape of one row (the shape without its first axis). */
  readonly rowShape: number[];
  /** Reads rows `[start, start + count)`, clipped to the end of the array. */
  readRows(start: number, count: number): Promise<NpyArray>;
  close(): void;
}

const HEADER_PROBE = 1 << 16;

/**
 * Opens a `.npy` file for reading row ranges. Throws `SyntaxError` naming the
 * file for a malformed header or a file shorter than its header says.
 *
 * @example
 * ```ts
 * const reader = await openNpy("features.npy");
 * console.log(reader.rows, reader.rowShape);
 * reader.close();
 * ```
 */
export async function openNpy(path: string): Promise<NpyReader> {
  const file = await Deno.open(path, { read: true });
  try {
    const header = await readHeader(file, path);
    if (header.shape.length === 0) throw new TypeError(`Cannot read rows of scalar "${path}"`);
    if (header.bigEndian) throw new TypeError(`Cannot read rows of big-endian "${path}"`);
    const [rows = 0, ...rowShape] = header.shape;
    const rowBytes = shapeSize(rowShape) * dtypeSize(header.dtype);
    const size = (await file.stat()).size;
    if (size < header.dataOffset + rows * rowBytes) {
      throw new SyntaxError(
        `Truncated .npy data in "${path}": ${size} bytes for shape (${header.shape})`,
      );
    }
    return {
      header,
      rows,
      rowShape,
      readRows: async (start, count) => {
        const first = Math.max(0, Math.min(start, rows));
        const n = Math.max(0, Math.min(count, rows - first));
        const bytes = new Uint8Array(n * rowBytes);
        await file.seek(header.dataOffset + first * rowBytes, Deno.SeekMode.Start);
        await readFull(file, bytes);
        return {
          dtype: header.dtype,
          shape: [n, ...rowShape],
          data: typedArrayFrom(header.dtype, bytes),
        };
      },
      close: () => file.close(),
    };
  } catch (error) {
    file.close();
    throw error;
  }
}

async function readHeader(file: Deno.FsFile, path: string): Promise<NpyHeader> {
  const probe = new Uint8Array(HEADER_PROBE);
  const got = await readUpTo(file, probe);
  try {
    return decodeNpyHeader(probe.subarray(0, got));
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const Ctor = error.constructor as new (message: string) => Error;
    throw new Ctor(`Cannot read "${path}": ${error.message}`);
  }
}

async function readUpTo(file: Deno.FsFile, into: Uint8Array): Promise<number> {
  let offset = 0;
  while (offset < into.length) {
    const n = await file.read(into.subarray(offset));
    if (n === null) break;
    offset += n;
  }
  return offset;
}

async function readFull(file: Deno.FsFile, into: Uint8Array): Promise<void> {
  const got = await readUpTo(file, into);
  if (got < into.length) throw new SyntaxError("Unexpected end of .npy data");
}
