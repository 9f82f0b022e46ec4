/** Little-endian safetensors element types decoded to float32. */

/** The dtypes {@linkcode decodeToFloat32} converts. */
export const FLOAT32_DECODABLE = ["F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8"];

/**
 * Decodes `bytes` (little-endian, `dtype`) into `out`. F32 is a copy, F16 and
 * BF16 are exact (float32 represents every F16/BF16 value, subnormals
 * included), F64 and integers round to the nearest float32.
 */
export function decodeToFloat32(dtype: string, bytes: Uint8Array, out: Float32Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = out.length;
  switch (dtype) {
    case "F32":
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      return;
    case "F16":
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return;
    case "BF16": {
      // A bfloat16 is the top half of a float32.
      const bits = new Uint32Array(out.buffer, out.byteOffset, n);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return;
    }
    case "F64":
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      return;
    case "I64":
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      return;
    case "I32":
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
      return;
    case "I16":
      for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
      return;
    case "I8":
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      return;
    case "U8":
      out.set(bytes.subarray(0, n));
      return;
    default:
      throw new TypeError(`Cannot convert dtype "${dtype}" to float32`);
  }
}

/** An IEEE 754 half-precision bit pattern as a number (normals, subnormals, inf, NaN). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
