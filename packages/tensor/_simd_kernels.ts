/**
 * Element-wise loops on the wasm backend's own heap, as 128-bit SIMD emitted at
 * run time: four floats per instruction, no branches, no copies. Plain
 * TypeScript loops over heap views measured ~7 ns per element for ReLU's
 * gradient (a data-dependent branch); these run at memory speed. Arguments are
 * byte offsets into the heap; channel counts must be multiples of 4 (callers
 * fall back to plain loops otherwise).
 *
 * Also the run copies of the patch matrices (`_patch_table.ts`): `gather` and
 * `scatterAdd` walk a table of (offset, bytes) pairs with `memory.copy`.
 *
 * @module
 */
import { moduleBytes, op } from "./_wasm_emit.ts";
import { rowLoop } from "./_simd_loops.ts";

type Fn = (...args: number[]) => void;

/** The loops, bound to one memory. */
export interface SimdKernels {
  /** dst = src · factors (per channel)  (src, dst, rows, c4, factors). */
  scaleRows: Fn;
  /** sumDy += dy; sumDyX += dy · x (per channel)  (dy, x, rows, c4, sumDy, sumDyX). */
  sums2: Fn;
  /** dst = x > 0 ? dy : 0  (x, dy, dst, rows, c4). */
  reluGrad: Fn;
  /** y += bias  (y, rows, c4, bias). */
  biasAdd: Fn;
  /** y = max(y + bias, 0)  (y, rows, c4, bias). */
  biasRelu: Fn;
  /** y = max(y, 0)  (y, rows, c4). */
  relu: Fn;
  /** dst += src  (src, dst, rows, c4). */
  addInto: Fn;
  /** y = x · scale + shift (per channel)  (x, y, rows, c4, scale, shift). */
  affine: Fn;
  /** For each (src, bytes) pair of the table: copy to dst, or zeros when src < 0; dst advances. */
  gather: Fn;
  /** For each (dst, bytes) pair: dst += the next `bytes` of src, skipped when dst < 0. */
  scatterAdd: Fn;
}

const cache = new WeakMap<WebAssembly.Memory, SimdKernels>();

/**
 * The loops for `memory` (compiled once per memory).
 *
 * @example
 * ```ts
 * simdKernels(memory).relu(offset, 1, count / 4);
 * ```
 */
export function simdKernels(memory: WebAssembly.Memory): SimdKernels {
  let found = cache.get(memory);
  if (found) return found;
  const make = (params: number, body: number[], locals = { i32: 6, v128: 2 }) => {
    const bytes = moduleBytes({ exportName: "f", params, locals, body });
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports
      .f as Fn;
  };
  found = {
    scaleRows: make(5, rowLoop(5, 2, 3, [0, 1], [4], scaleBody)),
    sums2: make(6, rowLoop(6, 2, 3, [0, 1], [4, 5], sums2Body)),
    reluGrad: make(5, rowLoop(5, 3, 4, [0, 1, 2], [], reluGradBody)),
    biasAdd: make(4, rowLoop(4, 1, 2, [0], [3], biasBody(false))),
    biasRelu: make(4, rowLoop(4, 1, 2, [0], [3], biasBody(true))),
    relu: make(3, rowLoop(3, 1, 2, [0], [], reluBody)),
    addInto: make(4, rowLoop(4, 2, 3, [0, 1], [], addBody)),
    affine: make(6, rowLoop(6, 2, 3, [0, 1], [4, 5], affineBody)),
    gather: make(3, gatherBody(), { i32: 2, v128: 0 }),
    scatterAdd: make(3, scatterAddBody(), { i32: 3, v128: 0 }),
  };
  cache.set(memory, found);
  return found;
}

type P = (i: number) => number;
const flat = (...parts: number[][]) => parts.flat();

function scaleBody(p: P): number[] {
  return flat(
    op.get(p(1)),
    op.get(p(0)),
    op.load(0),
    op.get(p(4)),
    op.load(0),
    op.f32x4Mul,
    op.store(0),
  );
}

function sums2Body(p: P, v: number): number[] {
  return flat(
    op.get(p(0)),
    op.load(0),
    op.set(v),
    op.get(p(4)),
    op.get(p(4)),
    op.load(0),
    op.get(v),
    op.f32x4Add,
    op.store(0),
    op.get(p(5)),
    op.get(v),
    op.get(p(1)),
    op.load(0),
    op.get(p(5)),
    op.load(0),
    op.madd,
    op.store(0),
  );
}

function reluGradBody(p: P): number[] {
  return flat(
    op.get(p(2)),
    op.get(p(1)),
    op.load(0),
    op.get(p(0)),
    op.load(0),
    op.zero,
    op.f32x4Gt,
    op.v128And,
    op.store(0),
  );
}

function biasBody(relu: boolean) {
  return (p: P) =>
    flat(
      op.get(p(0)),
      op.get(p(0)),
      op.load(0),
      op.get(p(3)),
      op.load(0),
      op.f32x4Add,
      relu ? flat(op.zero, op.f32x4Max) : [],
      op.store(0),
    );
}

function reluBody(p: P): number[] {
  return flat(op.get(p(0)), op.get(p(0)), op.load(0), op.zero, op.f32x4Max, op.store(0));
}

function addBody(p: P): number[] {
  return flat(
    op.get(p(1)),
    op.get(p(1)),
    op.load(0),
    op.get(p(0)),
    op.load(0),
    op.f32x4Add,
    op.store(0),
  );
}

function affineBody(p: P): number[] {
  return flat(
    op.get(p(1)),
    op.get(p(0)),
    op.load(0),
    op.get(p(4)),
    op.load(0),
    op.get(p(5)),
    op.load(0),
    op.madd,
    op.store(0),
  );
}

// gather(table, count, dst) and scatterAdd(table, count, src): locals after the params.
const [TABLE, COUNT, CURSOR, AT, LEN, J] = [0, 1, 2, 3, 4, 5];

/** Advances the table by one pair and the cursor by its length; loops. */
const nextPair = flat(
  op.get(CURSOR),
  op.get(LEN),
  op.add,
  op.set(CURSOR),
  op.get(TABLE),
  op.i32(8),
  op.add,
  op.set(TABLE),
  op.get(COUNT),
  op.i32(1),
  op.sub,
  op.set(COUNT),
  op.br(0),
);

const readPair = flat(
  op.get(COUNT),
  op.eqz,
  op.brIf(1),
  op.get(TABLE),
  op.i32Load(0),
  op.set(AT),
  op.get(TABLE),
  op.i32Load(4),
  op.set(LEN),
);

function gatherBody(): number[] {
  return flat(
    op.block,
    op.loop,
    readPair,
    op.get(AT),
    op.i32(0),
    op.ltS,
    op.if,
    flat(op.get(CURSOR), op.i32(0), op.get(LEN), op.memoryFill),
    op.else,
    flat(op.get(CURSOR), op.get(AT), op.get(LEN), op.memoryCopy),
    op.end,
    nextPair,
    op.end,
    op.end,
  );
}

function scatterAddBody(): number[] {
  const addVector = flat(
    op.get(AT),
    op.get(J),
    op.add,
    op.get(AT),
    op.get(J),
    op.add,
    op.load(0),
    op.get(CURSOR),
    op.get(J),
    op.add,
    op.load(0),
    op.f32x4Add,
    op.store(0),
  );
  return flat(
    op.block,
    op.loop,
    readPair,
    op.get(AT),
    op.i32(0),
    op.geS,
    op.if,
    flat(op.i32(0), op.set(J)),
    flat(op.block, op.loop, op.get(J), op.get(LEN), op.geS, op.brIf(1)),
    addVector,
    flat(op.get(J), op.i32(16), op.add, op.set(J), op.br(0), op.end, op.end),
    op.end,
    nextPair,
    op.end,
    op.end,
  );
}
