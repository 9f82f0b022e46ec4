/**
 * A tiny WebAssembly binary writer: just what the GEMM kernel in
 * `_wasm_gemm.ts` needs (one imported memory, one exported function).
 *
 * @module
 */

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

/** Signed LEB128. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && (byte & 0x40))) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Value types. */
export const I32 = 0x7f;
export const V128 = 0x7b;

/** Instructions (each returns its bytes). */
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  ltU: [0x49],
  gtU: [0x4b],
  eqz: [0x45],
  ne: [0x47],
  ltS: [0x48],
  geS: [0x4e],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  /** i32.load with a static byte offset. */
  i32Load: (offset = 0) => [0x28, 0x02, ...uleb(offset)],
  /** v128.load with a static byte offset. */
  load: (offset = 0) => [0xfd, 0x00, 0x00, ...uleb(offset)],
  store: (offset = 0) => [0xfd, 0x0b, 0x00, ...uleb(offset)],
  /** v128.load32_splat with a static byte offset. */
  splat: (offset = 0) => [0xfd, 0x09, 0x00, ...uleb(offset)],
  zero: [0xfd, 0x0c, ...new Array(16).fill(0)],
  f32x4Add: [0xfd, ...uleb(0xe4)],
  f32x4Mul: [0xfd, ...uleb(0xe6)],
  f32x4Max: [0xfd, ...uleb(0xe9)],
  f32x4Gt: [0xfd, ...uleb(0x44)],
  v128And: [0xfd, ...uleb(0x4e)],
  /** memory.copy (dst, src, bytes) within the one memory. */
  memoryCopy: [0xfc, ...uleb(10), 0x00, 0x00],
  /** memory.fill (dst, byte, bytes). */
  memoryFill: [0xfc, ...uleb(11), 0x00],
  /** f32x4.relaxed_madd: a * b + c, fused where the CPU has FMA. */
  madd: [0xfd, ...uleb(0x105)],
};

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

/** A module importing `env.memory` and exporting function `name` with i32 params. */
export function moduleBytes(options: {
  exportName: string;
  params: number;
  locals: { i32: number; v128: number };
  body: number[];
}): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vector(new Array(options.params).fill([I32])), 0];
  const memoryImport = [...name("env"), ...name("memory"), 0x02, 0x00, 0x01];
  const locals = vector([[...uleb(options.locals.i32), I32], [...uleb(options.locals.v128), V128]]);
  const code = [...locals, ...options.body, ...op.end];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector([type])),
    ...section(2, vector([memoryImport])),
    ...section(3, vector([[0]])),
    ...section(7, vector([[...name(options.exportName), 0x00, 0x00]])),
    ...section(10, vector([[...uleb(code.length), ...code]])),
  ]);
}
