import type { NpyData, NpyDtype } from "./_npy_types.ts";

interface DtypeSpec {
  /** NumPy kind and size, without the byte-order character (`f4`). */
  code: string;
  bytes: number;
  ctor: { readonly name: string; [Symbol.hasInstance](value: unknown): boolean };
  /** A view of `length` elements over the buffer. */
  view(buffer: ArrayBuffer, byteOffset: number, length: number): NpyData;
}

/** Each supported dtype's code, size and typed array. */
export const DTYPES: Record<NpyDtype, DtypeSpec> = {
  uint8: { code: "u1", bytes: 1, ctor: Uint8Array, view: (b, o, n) => new Uint8Array(b, o, n) },
  int8: { code: "i1", bytes: 1, ctor: Int8Array, view: (b, o, n) => new Int8Array(b, o, n) },
  uint16: { code: "u2", bytes: 2, ctor: Uint16Array, view: (b, o, n) => new Uint16Array(b, o, n) },
  int16: { code: "i2", bytes: 2, ctor: Int16Array, view: (b, o, n) => new Int16Array(b, o, n) },
  uint32: { code: "u4", bytes: 4, ctor: Uint32Array, view: (b, o, n) => new Uint32Array(b, o, n) },
  int32: { code: "i4", bytes: 4, ctor: Int32Array, view: (b, o, n) => new Int32Array(b, o, n) },
  int64: {
    code: "i8",
    bytes: 8,
    ctor: BigInt64Array,
    view: (b, o, n) => new BigInt64Array(b, o, n),
  },
  uint64: {
    code: "u8",
    bytes: 8,
    ctor: BigUint64Array,
    view: (b, o, n) => new BigUint64Array(b, o, n),
  },
  float32: {
    code: "f4",
    bytes: 4,
    ctor: Float32Array,
    view: (b, o, n) => new Float32Array(b, o, n),
  },
  float64: {
    code: "f8",
    bytes: 8,
    ctor: Float64Array,
    view: (b, o, n) => new Float64Array(b, o, n),
  },
};

/** NumPy's bool (`b1`) is read as uint8 0/1. */
const ALIASES: Record<string, NpyDtype> = { b1: "uint8" };

/**
 * The dtype for a NumPy `descr` string such as `<f4` or `|u1`, and whether it
 * is big-endian. Throws `TypeError` for anything else (structured dtypes too).
 */
export function dtypeFromDescr(descr: string): { dtype: NpyDtype; bigEndian: boolean } {
  const match = /^([<>|=])([a-z]\d+)$/.exec(descr);
  const code = match?.[2] ?? "";
  const dtype = ALIASES[code] ??
    (Object.keys(DTYPES) as NpyDtype[]).find((name) => DTYPES[name].code === code);
  if (!match || !dtype) throw new TypeError(`Unsupported .npy dtype "${descr}"`);
  const bigEndian = match[1] === ">" && DTYPES[dtype].bytes > 1;
  return { dtype, bigEndian };
}

/** The little-endian `descr` string NumPy writes for a dtype. */
export function descrOf(dtype: NpyDtype): string {
  const spec = DTYPES[dtype];
  return `${spec.bytes === 1 ? "|" : "<"}${spec.code}`;
}
