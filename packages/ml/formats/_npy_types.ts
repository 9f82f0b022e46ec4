/** The types of `.npy` arrays, shared by the reader, the writer and the header codec. */

/** The dtypes `.npy` files may hold here. */
export type NpyDtype =
  | "uint8"
  | "int8"
  | "uint16"
  | "int16"
  | "uint32"
  | "int32"
  | "int64"
  | "uint64"
  | "float32"
  | "float64";

/** The typed array that holds each dtype's elements. */
export type NpyData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** An n-dimensional array: its elements in C order, its dtype and its shape. */
export interface NpyArray<D extends NpyData = NpyData> {
  dtype: NpyDtype;
  shape: number[];
  data: D;
}

/** Where the data starts in a `.npy` file, and what it holds. */
export interface NpyHeader {
  dtype: NpyDtype;
  shape: number[];
  /** Whether elements are stored big-endian (swapped when read). */
  bigEndian: boolean;
  /** Byte offset of the first element. */
  dataOffset: number;
}
