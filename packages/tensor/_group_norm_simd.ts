/**
 * Group norm on the wasm backend's own heap with 128-bit SIMD loops emitted at
 * run time (four floats per instruction, no copies): per-channel sums per
 * example in wasm, the per-group arithmetic (a few hundred numbers) in JS.
 * Needs channels in multiples of 4; `group_norm_kernels.ts` falls back to the
 * plain loops otherwise.
 *
 * @module
 */
import { moduleBytes, op } from "./_wasm_emit.ts";
import { rowLoop } from "./_simd_loops.ts";
import type { GroupNormShape } from "./_group_norm_math.ts";

type Fn = (...args: number[]) => void;

/** Byte offsets of float32 arrays in the heap. */
export interface HeapArrays {
  memory: WebAssembly.Memory;
  /** Byte offset of a scratch area of at least `8 * channels` floats. */
  scratch: number;
}

const cache = new WeakMap<WebAssembly.Memory, Record<string, Fn>>();

/**
 * y = GN(x) · gamma + beta with x, gamma, beta, y given as byte offsets.
 *
 * @example
 * ```ts
 * groupNormForwardSimd({ memory, scratch }, x, gamma, beta, y, shape);
 * ```
 */
export function groupNormForwardSimd(
  heap: HeapArrays,
  x: number,
  gamma: number,
  beta: number,
  y: number,
  s: GroupNormShape,
): void {
  const fn = kernels(heap.memory);
  const c = s.channels;
  const [sums, squares, scale, shift] = [0, 1, 2, 3].map((i) => heap.scratch + i * c * 4);
  const f = new Float32Array(heap.memory.buffer);
  const per = c / s.groups;
  const rowBytes = s.spatial * c * 4;
  for (let n = 0; n < s.batch; n++) {
    f.fill(0, sums! / 4, sums! / 4 + 2 * c);
    fn.colsum!(x + n * rowBytes, s.spatial, c / 4, sums!, squares!);
    for (let g = 0; g < s.groups; g++) {
      const { mean, rstd } = groupMoments(f, sums! / 4, squares! / 4, g * per, per, s);
      for (let ch = g * per; ch < (g + 1) * per; ch++) {
        const k = rstd * f[gamma / 4 + ch]!;
        f[scale! / 4 + ch] = k;
        f[shift! / 4 + ch] = f[beta / 4 + ch]! - mean * k;
      }
    }
    fn.affine!(x + n * rowBytes, y + n * rowBytes, s.spatial, c / 4, scale!, shift!);
  }
}

/**
 * dx, and dgamma/dbeta as float64 arrays the caller stores, from dy and x (offsets).
 *
 * @example
 * ```ts
 * const { dgamma, dbeta } = groupNormBackwardSimd(heap, dy, x, gamma, dx, shape);
 * ```
 */
export function groupNormBackwardSimd(
  heap: HeapArrays,
  dy: number,
  x: number,
  gamma: number,
  dx: number,
  s: GroupNormShape,
): { dgamma: Float64Array; dbeta: Float64Array } {
  const fn = kernels(heap.memory);
  const c = s.channels;
  const at = [0, 1, 2, 3, 4, 5, 6].map((i) => heap.scratch + i * c * 4);
  const [sums, squares, sumDy, sumDyX, coefDy, coefX, bias] = at as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const f = new Float32Array(heap.memory.buffer);
  const per = c / s.groups;
  const count = s.spatial * per;
  const rowBytes = s.spatial * c * 4;
  const dgamma = new Float64Array(c);
  const dbeta = new Float64Array(c);
  for (let n = 0; n < s.batch; n++) {
    f.fill(0, sums / 4, sums / 4 + 4 * c);
    fn.colsum!(x + n * rowBytes, s.spatial, c / 4, sums, squares);
    fn.colsum2!(dy + n * rowBytes, x + n * rowBytes, s.spatial, c / 4, sumDy, sumDyX);
    for (let g = 0; g < s.groups; g++) {
      const { mean, rstd } = groupMoments(f, sums / 4, squares / 4, g * per, per, s);
      let a = 0, b = 0;
      for (let ch = g * per; ch < (g + 1) * per; ch++) {
        const sdy = f[sumDy / 4 + ch]!;
        const xhatDot = (f[sumDyX / 4 + ch]! - mean * sdy) * rstd;
        dgamma[ch] = dgamma[ch]! + xhatDot;
        dbeta[ch] = dbeta[ch]! + sdy;
        a += f[gamma / 4 + ch]! * sdy;
        b += f[gamma / 4 + ch]! * xhatDot;
      }
      a /= count;
      b /= count;
      // dx = rstd·(gamma·dy - a - xhat·b), as coefDy·dy + coefX·x + bias.
      for (let ch = g * per; ch < (g + 1) * per; ch++) {
        f[coefDy / 4 + ch] = rstd * f[gamma / 4 + ch]!;
        f[coefX / 4 + ch] = -rstd * rstd * b;
        f[bias / 4 + ch] = -rstd * a + rstd * rstd * b * mean;
      }
    }
    fn.combine!(
      dy + n * rowBytes,
      x + n * rowBytes,
      dx + n * rowBytes,
      s.spatial,
      c / 4,
      coefDy,
      coefX,
      bias,
    );
  }
  return { dgamma, dbeta };
}

function groupMoments(
  f: Float32Array,
  sums: number,
  squares: number,
  first: number,
  per: number,
  s: GroupNormShape,
) {
  let sum = 0, sq = 0;
  for (let ch = first; ch < first + per; ch++) {
    sum += f[sums + ch]!;
    sq += f[squares + ch]!;
  }
  const count = s.spatial * per;
  const mean = sum / count;
  const variance = Math.max(0, sq / count - mean * mean);
  return { mean, rstd: 1 / Math.sqrt(variance + s.epsilon) };
}

function kernels(memory: WebAssembly.Memory): Record<string, Fn> {
  let found = cache.get(memory);
  if (!found) {
    const make = (params: number, body: number[]) => {
      const bytes = moduleBytes({ exportName: "f", params, locals: { i32: 6, v128: 2 }, body });
      return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports
        .f as Fn;
    };
    found = {
      colsum: make(5, rowLoop(5, 1, 2, [0], [3, 4], colsumBody)),
      colsum2: make(6, rowLoop(6, 2, 3, [0, 1], [4, 5], colsum2Body)),
      affine: make(6, rowLoop(6, 2, 3, [0, 1], [4, 5], affineBody)),
      combine: make(8, rowLoop(8, 3, 4, [0, 1, 2], [5, 6, 7], combineBody)),
    };
    cache.set(memory, found);
  }
  return found;
}

/** sums += x; squares += x·x  (params: x, rows, c4, sums, squares). */
function colsumBody(p: (i: number) => number, V: number): number[] {
  return [
    ...op.get(p(0)),
    ...op.load(0),
    ...op.set(V),
    ...op.get(p(3)),
    ...op.get(p(3)),
    ...op.load(0),
    ...op.get(V),
    ...op.f32x4Add,
    ...op.store(0),
    ...op.get(p(4)),
    ...op.get(V),
    ...op.get(V),
    ...op.get(p(4)),
    ...op.load(0),
    ...op.madd,
    ...op.store(0),
  ];
}

/** sumDy += dy; sumDyX += dy·x  (params: dy, x, rows, c4, sumDy, sumDyX). */
function colsum2Body(p: (i: number) => number, V: number): number[] {
  return [
    ...op.get(p(0)),
    ...op.load(0),
    ...op.set(V),
    ...op.get(p(4)),
    ...op.get(p(4)),
    ...op.load(0),
    ...op.get(V),
    ...op.f32x4Add,
    ...op.store(0),
    ...op.get(p(5)),
    ...op.get(V),
    ...op.get(p(1)),
    ...op.load(0),
    ...op.get(p(5)),
    ...op.load(0),
    ...op.madd,
    ...op.store(0),
  ];
}

/** y = x·scale + shift  (params: x, y, rows, c4, scale, shift). */
function affineBody(p: (i: number) => number, _v: number): number[] {
  return [
    ...op.get(p(1)),
    ...op.get(p(0)),
    ...op.load(0),
    ...op.get(p(4)),
    ...op.load(0),
    ...op.get(p(5)),
    ...op.load(0),
    ...op.madd,
    ...op.store(0),
  ];
}

/** dx = a·dy + b·x + c  (params: dy, x, dx, rows, c4, a, b, c). */
function combineBody(p: (i: number) => number, _v: number): number[] {
  return [
    ...op.get(p(2)),
    ...op.get(p(5)),
    ...op.load(0),
    ...op.get(p(0)),
    ...op.load(0),
    ...op.get(p(6)),
    ...op.load(0),
    ...op.get(p(1)),
    ...op.load(0),
    ...op.get(p(7)),
    ...op.load(0),
    ...op.madd,
    ...op.madd,
    ...op.store(0),
  ];
}
