/**
 * A matrix product in WebAssembly with fused multiply-add (`relaxed_madd`),
 * which TF.js' XNNPACK build does not use: C[M, N] = A[M, K] · B[K, N].
 * A is row-major; B is packed in panels of 8 columns; C is row-major.
 *
 * The 6x8 tile kernel keeps 12 accumulators in registers. It is generated per
 * row stride so that the six row loads use static offsets; modules are tiny and
 * cached. It runs in its own memory, which callers fill through views.
 *
 * @module
 */
import { moduleBytes, op } from "./_wasm_emit.ts";

const ROWS = 6;
const COLS = 8;
const PAGE = 65536;

type Tile = (
  a: number,
  b: number,
  k: number,
  c: number,
  ldc4: number,
  rows: number,
  accumulate: number,
) => void;

let relaxedSimd: boolean | undefined;

/** Whether this engine validates the relaxed-SIMD kernel (checked once). */
export function hasRelaxedSimd(): boolean {
  if (relaxedSimd === undefined) {
    try {
      relaxedSimd = WebAssembly.validate(tileModule(16));
    } catch {
      relaxedSimd = false;
    }
  }
  return relaxedSimd;
}

/** One GEMM workspace: a memory and a bump allocator reset per product. */
export class Gemm {
  readonly memory = new WebAssembly.Memory({ initial: 16 });
  #tiles = new Map<number, Tile>();
  #gather?: (table: number, count: number, add: number, dst: number) => void;
  #top = 0;

  /** Frees everything allocated so far. */
  reset(): void {
    this.#top = 0;
  }

  /** Allocates `floats` floats (16-byte aligned) and returns the byte offset. */
  alloc(floats: number): number {
    const at = this.#top;
    this.#top = at + Math.ceil((floats * 4) / 16) * 16;
    const missing = this.#top - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / PAGE));
    return at;
  }

  /** A view of `floats` floats at byte offset `at` (take it after the last alloc). */
  view(at: number, floats: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, floats);
  }

  /**
   * For each of `count` byte offsets in the Int32 table at `table`, copies the
   * 8 floats at `offset + add` to `dst`, 8 floats apart: gathers one B panel
   * straight from an image (see `gemm_conv.ts`).
   */
  gather8(table: number, count: number, add: number, dst: number): void {
    this.#gather ??= new WebAssembly.Instance(new WebAssembly.Module(gatherModule()), {
      env: { memory: this.memory },
    }).exports.gather as (table: number, count: number, add: number, dst: number) => void;
    this.#gather(table, count, add, dst);
  }

  /** Packs row-major `b` ([k, n]) into panels of 8 columns, zero padded. Returns its offset. */
  packB(b: Float32Array, k: number, n: number): number {
    const panels = Math.ceil(n / COLS);
    const at = this.alloc(panels * k * COLS);
    const out = this.view(at, panels * k * COLS);
    for (let p = 0; p < panels; p++) {
      const width = Math.min(COLS, n - p * COLS);
      let dst = p * k * COLS;
      for (let row = 0; row < k; row++, dst += COLS) {
        const src = row * n + p * COLS;
        for (let q = 0; q < width; q++) out[dst + q] = b[src + q]!;
        for (let q = width; q < COLS; q++) out[dst + q] = 0;
      }
    }
    return at;
  }

  /**
   * C (+)= A · B with A at `a` (`[m, k]`, rows `lda` floats apart, plus 6 rows
   * of slack so the last tile may over-read), packed B at `b`, C at `c`
   * (`[m, n]`, n a multiple of 8). A long reduction is cut into blocks of `kc`
   * so that the slice of B in use stays in cache.
   */
  multiply(
    a: number,
    m: number,
    k: number,
    b: number,
    n: number,
    c: number,
    options: { accumulate?: boolean; lda?: number; kc?: number; panelsOuter?: boolean } = {},
  ): void {
    if (n % COLS !== 0) {
      throw new RangeError(`The GEMM needs columns in multiples of 8, not "${n}"`);
    }
    const lda = options.lda ?? k;
    const kc = options.kc ?? k;
    const tile = this.#tile(lda);
    for (let kb = 0; kb < k; kb += kc) {
      const depth = Math.min(kc, k - kb);
      const flag = options.accumulate || kb > 0 ? 1 : 0;
      if (options.panelsOuter) {
        // Few rows, long reduction: keep one B panel block in L1 across all row tiles.
        for (let j = 0; j < n; j += COLS) {
          const panel = b + (j * k + kb * COLS) * 4;
          for (let i = 0; i < m; i += ROWS) {
            const rows = Math.min(ROWS, m - i);
            tile(a + (i * lda + kb) * 4, panel, depth, c + (i * n + j) * 4, n * 4, rows, flag);
          }
        }
        continue;
      }
      for (let i = 0; i < m; i += ROWS) {
        const rows = Math.min(ROWS, m - i);
        const aRow = a + (i * lda + kb) * 4;
        for (let j = 0; j < n; j += COLS) {
          tile(aRow, b + (j * k + kb * COLS) * 4, depth, c + (i * n + j) * 4, n * 4, rows, flag);
        }
      }
    }
  }

  #tile(lda: number): Tile {
    let tile = this.#tiles.get(lda);
    if (!tile) {
      const module = new WebAssembly.Module(tileModule(lda));
      const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
      tile = instance.exports.tile as Tile;
      this.#tiles.set(lda, tile);
    }
    return tile;
  }
}

// Parameters and locals of the tile function.
const [A, B, K, C, LDC4, NROWS, ACCUMULATE] = [0, 1, 2, 3, 4, 5, 6];
const [AP, BP, COUNT, CP] = [7, 8, 9, 10];
const ACC = 11; // 12 v128 accumulators: row r, half h at ACC + 2r + h
const [B0, B1, AR] = [23, 24, 25];

/** The 6x8 tile kernel for rows `lda` floats apart. */
function tileModule(lda: number): Uint8Array<ArrayBuffer> {
  const body: number[] = [];
  const e = (...parts: number[][]) => parts.forEach((p) => body.push(...p));
  for (let i = 0; i < 2 * ROWS; i++) e(op.zero, op.set(ACC + i));
  e(op.get(A), op.set(AP), op.get(B), op.set(BP), op.get(K), op.set(COUNT));
  // One k step: broadcast six A values against two B vectors into twelve accumulators.
  const step = (aOffset: number, bOffset: number) => {
    e(op.get(BP), op.load(bOffset), op.set(B0), op.get(BP), op.load(bOffset + 16), op.set(B1));
    for (let r = 0; r < ROWS; r++) {
      e(op.get(AP), op.splat(r * lda * 4 + aOffset), op.set(AR));
      for (let h = 0; h < 2; h++) {
        e(
          op.get(AR),
          op.get(h ? B1 : B0),
          op.get(ACC + 2 * r + h),
          op.madd,
          op.set(ACC + 2 * r + h),
        );
      }
    }
  };
  // Two steps per iteration halve the loop overhead; an odd last step follows.
  e(op.block, op.loop, op.get(COUNT), op.i32(2), op.ltU, op.brIf(1));
  step(0, 0);
  step(4, 32);
  e(op.get(AP), op.i32(8), op.add, op.set(AP), op.get(BP), op.i32(64), op.add, op.set(BP));
  e(op.get(COUNT), op.i32(2), op.sub, op.set(COUNT), op.br(0), op.end, op.end);
  e(op.get(COUNT), op.if);
  step(0, 0);
  e(op.end);
  for (let r = 0; r < ROWS; r++) {
    e(op.get(NROWS), op.i32(r), op.gtU, op.if);
    e(op.get(C), op.i32(r), op.get(LDC4), op.mul, op.add, op.set(CP));
    e(op.get(ACCUMULATE), op.if);
    for (let h = 0; h < 2; h++) {
      e(op.get(ACC + 2 * r + h), op.get(CP), op.load(16 * h), op.f32x4Add, op.set(ACC + 2 * r + h));
    }
    e(op.end);
    e(
      op.get(CP),
      op.get(ACC + 2 * r),
      op.store(0),
      op.get(CP),
      op.get(ACC + 2 * r + 1),
      op.store(16),
    );
    e(op.end);
  }
  return moduleBytes({ exportName: "tile", params: 7, locals: { i32: 4, v128: 15 }, body });
}

/** gather(table, count, add, dst): dst[8i..8i+8] = mem[table[i] + add ..], two v128 moves each. */
function gatherModule(): Uint8Array<ArrayBuffer> {
  const [TABLE, COUNT_, ADD, DST, OFF] = [0, 1, 2, 3, 4];
  const body = [
    ...op.block,
    ...op.loop,
    ...op.get(COUNT_),
    ...op.eqz,
    ...op.brIf(1),
    ...op.get(TABLE),
    ...op.i32Load(0),
    ...op.get(ADD),
    ...op.add,
    ...op.set(OFF),
    ...op.get(DST),
    ...op.get(OFF),
    ...op.load(0),
    ...op.store(0),
    ...op.get(DST),
    ...op.get(OFF),
    ...op.load(16),
    ...op.store(16),
    ...op.get(TABLE),
    ...op.i32(4),
    ...op.add,
    ...op.set(TABLE),
    ...op.get(DST),
    ...op.i32(32),
    ...op.add,
    ...op.set(DST),
    ...op.get(COUNT_),
    ...op.i32(1),
    ...op.sub,
    ...op.set(COUNT_),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
  return moduleBytes({ exportName: "gather", params: 4, locals: { i32: 1, v128: 0 }, body });
}
