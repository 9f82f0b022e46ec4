import { descrOf, dtypeFromDescr } from "./_npy_dtypes.ts";
import type { NpyDtype, NpyHeader } from "./_npy_types.ts";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ALIGN = 64;

/** Python's repr of a shape tuple: `()`, `(3,)`, `(2, 3)`. */
function shapeRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/**
 * The header of a `.npy` file (magic, version, length, dict), padded with
 * spaces so the data starts on a 64-byte boundary, and to at least
 * `minLength` bytes (so a header can later be rewritten in place).
 * Version 1.0 unless the dict needs more than 65,535 bytes.
 */
export function encodeNpyHeader(
  dtype: NpyDtype,
  shape: readonly number[],
  minLength = 0,
): Uint8Array {
  const dict = `{'descr': '${descrOf(dtype)}', 'fortran_order': False, 'shape': ${
    shapeRepr(shape)
  }, }`;
  const v1Prefix = MAGIC.length + 2 + 2;
  const v1Total = roundUp(Math.max(v1Prefix + dict.length + 1, minLength), ALIGN);
  const v2 = v1Total - v1Prefix > 0xffff;
  const prefix = v2 ? MAGIC.length + 2 + 4 : v1Prefix;
  const total = roundUp(Math.max(prefix + dict.length + 1, minLength), ALIGN);
  const text = dict.padEnd(total - prefix - 1, " ") + "\n";
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = v2 ? 2 : 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (v2) view.setUint32(8, text.length, true);
  else view.setUint16(8, text.length, true);
  out.set(new TextEncoder().encode(text), prefix);
  return out;
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Parses the header at the start of `bytes`; throws `SyntaxError` when malformed. */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new SyntaxError("Not a .npy file: the magic string is missing");
  }
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new SyntaxError(`Unsupported .npy format version ${major}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) throw new SyntaxError("Truncated .npy header");
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < prefix + length) {
    throw new SyntaxError(
      `Truncated .npy header: expected ${length} bytes, found ${bytes.length - prefix}`,
    );
  }
  const decoder = new TextDecoder(major === 3 ? "utf-8" : "latin1");
  const dict = decoder.decode(bytes.subarray(prefix, prefix + length));
  return { ...parseDict(dict), dataOffset: prefix + length };
}

function parseDict(dict: string): Omit<NpyHeader, "dataOffset"> {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(dict)?.[1];
  const order = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(dict)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (descr === undefined || order === undefined || shapeText === undefined) {
    throw new SyntaxError(`Malformed .npy header ${JSON.stringify(dict.trim())}`);
  }
  if (order === "True") {
    throw new TypeError("Fortran-ordered .npy files are not supported: save with C order");
  }
  const shape = shapeText.split(",").map((s) => s.trim().replace(/L$/, "")).filter((s) => s)
    .map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) {
        throw new SyntaxError(`Malformed .npy shape "(${shapeText})"`);
      }
      return n;
    });
  return { ...dtypeFromDescr(descr), shape };
}
