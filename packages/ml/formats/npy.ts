/**
 * NumPy `.npy` encoding and decoding, in memory: the header (format versions
 * 1.0 to 3.0 read, 1.0 or 2.0 written), the dtype, the shape, C order.
 *
 * Arrays are little-endian on disk; big-endian files are byte-swapped on read.
 * Fortran-ordered files are rejected rather than silently transposed.
 *
 * @example
 * ```ts
 * import { decodeNpy, encodeNpy } from "./npy.ts";
 *
 * const bytes = encodeNpy({ dtype: "float32", shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) });
 * const back = decodeNpy(bytes);
 * console.log(back.shape, back.data); // [2, 2] Float32Array [1, 2, 3, 4]
 * ```
 * @module
 */
import { DTYPES } from "./_npy_dtypes.ts";
import type { NpyArray, NpyData, NpyDtype, NpyHeader } from "./_npy_types.ts";
import { encodeNpyHeader, parseNpyHeader } from "./_npy_header.ts";

export type { NpyArray, NpyData, NpyDtype, NpyHeader } from "./_npy_types.ts";

/** The number of elements of an array of this shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Bytes per element of a dtype. */
export function dtypeSize(dtype: NpyDtype): number {
  return DTYPES[dtype].bytes;
}

/**
 * Encodes an array as a complete `.npy` file.
 *
 * @example
 * ```ts
 * const file = encodeNpy({ dtype: "uint8", shape: [3], data: new Uint8Array([1, 2, 3]) });
 * await Deno.writeFile("a.npy", file);
 * ```
 */
export function encodeNpy(array: NpyArray): Uint8Array {
  checkArray(array);
  const header = encodeNpyHeader(array.dtype, array.shape);
  const body = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/**
 * Reads the header of a `.npy` file from its first bytes (at least the whole
 * header). Throws `SyntaxError` when the bytes are not a valid `.npy` header.
 *
 * @example
 * ```ts
 * const head = decodeNpyHeader(await Deno.readFile("a.npy"));
 * console.log(head.dtype, head.shape, head.dataOffset);
 * ```
 */
export function decodeNpyHeader(bytes: Uint8Array): NpyHeader {
  return parseNpyHeader(bytes);
}

/**
 * Decodes a complete `.npy` file. Throws `SyntaxError` for a malformed header
 * or a truncated body, `TypeError` for an unsupported dtype or order.
 *
 * @example
 * ```ts
 * const { dtype, shape, data } = decodeNpy(await Deno.readFile("labels.npy"));
 * ```
 */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  const header = parseNpyHeader(bytes);
  const count = shapeSize(header.shape);
  const byteLength = count * dtypeSize(header.dtype);
  const available = bytes.length - header.dataOffset;
  if (available < byteLength) {
    throw new SyntaxError(
      `Truncated .npy data: expected ${byteLength} bytes for shape (${header.shape}), found ${available}`,
    );
  }
  const data = typedArrayFrom(
    header.dtype,
    bytes.slice(header.dataOffset, header.dataOffset + byteLength),
  );
  if (header.bigEndian) swapBytes(data);
  return { dtype: header.dtype, shape: header.shape, data };
}

/** Views raw little-endian bytes (copied, aligned) as the dtype's typed array. */
export function typedArrayFrom(dtype: NpyDtype, bytes: Uint8Array): NpyData {
  const aligned = bytes.byteOffset % DTYPES[dtype].bytes === 0 ? bytes : bytes.slice();
  const size = DTYPES[dtype].bytes;
  return DTYPES[dtype].view(
    aligned.buffer as ArrayBuffer,
    aligned.byteOffset,
    aligned.length / size,
  );
}

function checkArray(array: NpyArray): void {
  const spec = DTYPES[array.dtype];
  if (!spec) throw new TypeError(`Unsupported dtype "${array.dtype}"`);
  if (!(array.data instanceof spec.ctor)) {
    throw new TypeError(`Data for dtype "${array.dtype}" must be a ${spec.ctor.name}`);
  }
  for (const dim of array.shape) {
    if (!Number.isInteger(dim) || dim < 0) {
      throw new RangeError(`Invalid shape (${array.shape}): dimensions must be whole numbers >= 0`);
    }
  }
  const count = shapeSize(array.shape);
  if (count !== array.data.length) {
    throw new RangeError(
      `Shape (${array.shape}) needs ${count} elements, the data has ${array.data.length}`,
    );
  }
}

function swapBytes(data: NpyData): void {
  const size = data.BYTES_PER_ELEMENT;
  if (size === 1) return;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}
