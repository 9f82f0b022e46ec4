/**
 * Convolutions, their gradients and matrix products of the wasm backend on a
 * system BLAS (`native_blas.ts`): the operands stay in the wasm heap and the
 * native `sgemm` reads and writes them there. A convolution is one product
 * over its patch matrix, built and consumed in chunks of rows
 * (`_patches.ts`); a 1x1 stride-1 convolution needs no patch matrix at all.
 * Calls the product does not suit (dilation, NCHW, int32, other fused
 * activations) go to the kernel registered before.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import { type KernelArgs, type KernelFunc, wrapWasmKernel } from "./_wrap_kernel.ts";
import type { ConvGeometry } from "./_im2col.ts";
import { col2imRows } from "./_patches.ts";
import { maxPairs, patchTable } from "./_patch_table.ts";
import { type SimdKernels, simdKernels } from "./_simd_kernels.ts";
import type { WasmBackendLike } from "./_wasm_ops.ts";
import type { NativeBlas } from "./native_blas.ts";

type TensorInfo = TfCore.TensorInfo;
type Conv2DInfo = TfCore.backend_util.Conv2DInfo;

/** Floats of patch matrix built per product: a chunk stays in the last-level cache. */
let chunkFloats = 1 << 21;
/** Fewer rows than this per product and the BLAS runs below its speed. */
let minChunkRows = 256;

const wrapped = new WeakSet<object>();
let calls = 0;

interface HeapBackend extends WasmBackendLike {
  wasm: { asm: { memory: WebAssembly.Memory } };
}

/** One call's scratch in the wasm heap: a chunk of patch rows and the run table that fills it. */
interface PatchScratch {
  memory: WebAssembly.Memory;
  simd: SimdKernels;
  /** Rows per chunk. */
  step: number;
  /** Byte offsets. */
  col: number;
  table: number;
}

/**
 * Runs `f` with patch scratch for `rows` rows of `depth` floats (none for a pointwise
 * convolution), freed after. Heap views must be taken inside `f`: allocating the scratch may
 * grow the heap, which voids earlier views.
 */
function withPatches<T>(
  backend: HeapBackend,
  info: Conv2DInfo,
  f: (s: PatchScratch | undefined) => T,
): T {
  if (pointwise(info)) return f(undefined);
  const g = geometry(info);
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const step = chunkRows(depth, rows);
  const col = backend.makeOutput([step * depth], "float32");
  const table = backend.makeOutput([2 * maxPairs(g, step)], "float32");
  try {
    const memory = backend.wasm.asm.memory;
    return f({
      memory,
      simd: simdKernels(memory),
      step,
      col: backend.typedArrayFromHeap(col).byteOffset,
      table: backend.typedArrayFromHeap(table).byteOffset,
    });
  } finally {
    backend.disposeData(col.dataId);
    backend.disposeData(table.dataId);
  }
}

/** Builds rows `[r0, r1)` of the patch matrix of the image at byte offset `image`; returns a view. */
function gatherRows(s: PatchScratch, g: ConvGeometry, r0: number, r1: number, image: number) {
  const table = new Int32Array(s.memory.buffer, s.table, 2 * maxPairs(g, r1 - r0));
  const pairs = patchTable(g, r0, r1, image, table);
  s.simd.gather(s.table, pairs, s.col);
  return new Float32Array(
    s.memory.buffer,
    s.col,
    (r1 - r0) * g.filterHeight * g.filterWidth * g.inChannels,
  );
}

/** Adds rows `[r0, r1)` held in the scratch back into the image at byte offset `image`. */
function scatterRows(s: PatchScratch, g: ConvGeometry, r0: number, r1: number, dx: Float32Array) {
  if (g.inChannels % 4 !== 0) {
    const depth = g.filterHeight * g.filterWidth * g.inChannels;
    col2imRows(new Float32Array(s.memory.buffer, s.col, (r1 - r0) * depth), g, r0, r1, dx);
    return;
  }
  const table = new Int32Array(s.memory.buffer, s.table, 2 * maxPairs(g, r1 - r0));
  const pairs = patchTable(g, r0, r1, dx.byteOffset, table);
  s.simd.scatterAdd(s.table, pairs, s.col);
}

/** How many calls ran on the BLAS in this thread (for tests). */
export function blasKernelCalls(): number {
  return calls;
}

/**
 * Sets the patch-matrix chunk (floats, and the fewest rows) and returns the previous one, so
 * tests can make small convolutions span several chunks.
 *
 * @example
 * ```ts
 * const saved = setPatchChunk({ floats: 64, minRows: 1 });
 * ```
 */
export function setPatchChunk(chunk: { floats: number; minRows: number }): {
  floats: number;
  minRows: number;
} {
  const previous = { floats: chunkFloats, minRows: minChunkRows };
  chunkFloats = chunk.floats;
  minChunkRows = chunk.minRows;
  return previous;
}

/** The kernels {@linkcode registerBlasKernels} wraps. */
export const BLAS_KERNELS = [
  "Conv2D",
  "FusedConv2D",
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "BatchMatMul",
  "_FusedMatMul",
] as const;

/**
 * Wraps the wasm kernels in {@linkcode BLAS_KERNELS} so that they run on `blas`
 * (idempotent). Register the wasm gradient kernels first: these wrap them.
 *
 * @example
 * ```ts
 * const blas = nativeBlas();
 * if (blas) registerBlasKernels(tf, blas);
 * ```
 */
export function registerBlasKernels(tf: typeof TfCore, blas: NativeBlas): void {
  const impl: Record<string, (a: KernelArgs, original: KernelFunc) => TensorInfo> = {
    Conv2D: (a, o) => forward(tf, blas, a, o),
    FusedConv2D: (a, o) => forward(tf, blas, a, o),
    Conv2DBackpropFilter: (a, o) => filterGrad(tf, blas, a, o),
    Conv2DBackpropInput: (a, o) => inputGrad(tf, blas, a, o),
    BatchMatMul: (a, o) => matMul(blas, a, o),
    _FusedMatMul: (a, o) => matMul(blas, a, o),
  };
  for (const name of BLAS_KERNELS) {
    wrapWasmKernel(tf, name, (original) => (args) => impl[name]!(args, original), wrapped);
  }
}

function convInfo(
  tf: typeof TfCore,
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: TfCore.NamedAttrMap,
): Conv2DInfo | undefined {
  if ((attrs.dataFormat ?? "NHWC") !== "NHWC") return;
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | undefined) ?? 1,
    attrs.pad as "same",
    attrs.dimRoundingMode as "floor" | undefined,
  );
  return info.dilationHeight === 1 && info.dilationWidth === 1 ? info : undefined;
}

function geometry(info: Conv2DInfo): ConvGeometry {
  return { ...info, padTop: info.padInfo.top, padLeft: info.padInfo.left };
}

/** A 1x1 stride-1 unpadded convolution is a plain product of x as `[pixels, channels]`. */
function pointwise(info: Conv2DInfo): boolean {
  const p = info.padInfo;
  return info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 &&
    info.strideWidth === 1 && p.top === 0 && p.left === 0 && p.bottom === 0 && p.right === 0;
}

/** Rows per chunk of patch matrix for reductions of `depth` floats. */
function chunkRows(depth: number, rows: number): number {
  const wanted = Math.max(minChunkRows, Math.floor(chunkFloats / depth));
  return Math.min(rows, wanted);
}

function forward(
  tf: typeof TfCore,
  blas: NativeBlas,
  args: KernelArgs,
  original: KernelFunc,
): TensorInfo {
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  const attrs = args.attrs ?? {};
  const activation = (attrs.activation as string | undefined) ?? "linear";
  if (x!.dtype !== "float32" || preluActivationWeights) return original(args);
  if (activation !== "linear" && activation !== "relu") return original(args);
  const info = convInfo(tf, x!.shape, filter!.shape, attrs);
  if (!info) return original(args);
  calls++;
  const backend = args.backend as HeapBackend;
  const out = backend.makeOutput(info.outShape, "float32");
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  withPatches(backend, info, (s) => {
    const [xs, w, y] = [x!, filter!, out].map((t) => backend.typedArrayFromHeap(t)) as Views3;
    if (!s) {
      blas.sgemm({ m: rows, n: co, k: depth, a: xs, lda: depth, b: w, ldb: co, c: y, ldc: co });
      return;
    }
    const g = geometry(info);
    for (let r0 = 0; r0 < rows; r0 += s.step) {
      const r1 = Math.min(rows, r0 + s.step);
      const col = gatherRows(s, g, r0, r1, xs.byteOffset);
      const c = y.subarray(r0 * co);
      blas.sgemm({ m: r1 - r0, n: co, k: depth, a: col, lda: depth, b: w, ldb: co, c, ldc: co });
    }
  });
  if (bias || activation === "relu") {
    const y = backend.typedArrayFromHeap(out);
    const b = bias ? backend.typedArrayFromHeap(bias) : undefined;
    epilogue(backend, y, b, co, activation === "relu");
  }
  return out;
}

type Views3 = [Float32Array, Float32Array, Float32Array];

/** dW (`[KH, KW, C, CO]` = `[depth, CO]`) = patchesᵀ · dy, summed chunk by chunk. */
function filterGrad(
  tf: typeof TfCore,
  blas: NativeBlas,
  args: KernelArgs,
  original: KernelFunc,
): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs ?? {};
  const filterShape = attrs.filterShape as number[];
  const info = x.dtype === "float32" ? convInfo(tf, x.shape, filterShape, attrs) : undefined;
  if (!info) return original(args);
  calls++;
  const backend = args.backend as HeapBackend;
  const out = backend.makeOutput(filterShape, "float32");
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  withPatches(backend, info, (s) => {
    const [xs, dys, dw] = [x, dy, out].map((t) => backend.typedArrayFromHeap(t)) as Views3;
    const product = (a: Float32Array, r0: number, r1: number) =>
      blas.sgemm({
        transA: true,
        m: depth,
        n: co,
        k: r1 - r0,
        a,
        lda: depth,
        b: dys.subarray(r0 * co),
        ldb: co,
        c: dw,
        ldc: co,
        beta: r0 === 0 ? 0 : 1,
      });
    if (!s) return product(xs, 0, rows);
    const g = geometry(info);
    for (let r0 = 0; r0 < rows; r0 += s.step) {
      const r1 = Math.min(rows, r0 + s.step);
      product(gatherRows(s, g, r0, r1, xs.byteOffset), r0, r1);
    }
  });
  return out;
}

/** dx = col2im(dy · Wᵀ), chunk by chunk; a 1x1 stride-1 convolution writes dx directly. */
function inputGrad(
  tf: typeof TfCore,
  blas: NativeBlas,
  args: KernelArgs,
  original: KernelFunc,
): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs ?? {};
  const inputShape = attrs.inputShape as number[];
  const info = dy.dtype === "float32" ? convInfo(tf, inputShape, filter.shape, attrs) : undefined;
  if (!info) return original(args);
  calls++;
  const backend = args.backend as HeapBackend;
  const out = backend.makeOutput(inputShape, "float32");
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  withPatches(backend, info, (s) => {
    const [dys, w, dx] = [dy, filter, out].map((t) => backend.typedArrayFromHeap(t)) as Views3;
    const product = (r0: number, r1: number, c: Float32Array) =>
      blas.sgemm({
        transB: true,
        m: r1 - r0,
        n: depth,
        k: co,
        a: dys.subarray(r0 * co),
        lda: co,
        b: w,
        ldb: co,
        c,
        ldc: depth,
      });
    if (!s) return product(0, rows, dx);
    dx.fill(0);
    const g = geometry(info);
    for (let r0 = 0; r0 < rows; r0 += s.step) {
      const r1 = Math.min(rows, r0 + s.step);
      product(r0, r1, new Float32Array(s.memory.buffer, s.col, (r1 - r0) * depth));
      scatterRows(s, g, r0, r1, dx);
    }
  });
  return out;
}

/** `BatchMatMul` / `_FusedMatMul` (bias, ReLU) with either operand transposed, per batch entry. */
function matMul(blas: NativeBlas, args: KernelArgs, original: KernelFunc): TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo>;
  const attrs = args.attrs ?? {};
  const activation = (attrs.activation as string | undefined) ?? "linear";
  const transA = attrs.transposeA === true;
  const transB = attrs.transposeB === true;
  const ra = a!.shape.length;
  const rb = b!.shape.length;
  const batchA = a!.shape.slice(0, -2).reduce((p, q) => p * q, 1);
  const batchB = b!.shape.slice(0, -2).reduce((p, q) => p * q, 1);
  const suited = a!.dtype === "float32" && b!.dtype === "float32" && !preluActivationWeights &&
    (activation === "linear" || activation === "relu") &&
    (batchA === batchB || batchB === 1) && (!bias || bias.shape.length <= 1);
  if (!suited) return original(args);
  calls++;
  const [m, k] = transA
    ? [a!.shape[ra - 1]!, a!.shape[ra - 2]!]
    : [a!.shape[ra - 2]!, a!.shape[ra - 1]!];
  const n = transB ? b!.shape[rb - 2]! : b!.shape[rb - 1]!;
  const backend = args.backend as WasmBackendLike;
  const outShape = [...(batchA >= batchB ? a! : b!).shape.slice(0, -2), m, n];
  const out = backend.makeOutput(outShape, "float32");
  const av = backend.typedArrayFromHeap(a!);
  const bv = backend.typedArrayFromHeap(b!);
  const cv = backend.typedArrayFromHeap(out);
  for (let i = 0; i < batchA; i++) {
    blas.sgemm({
      transA,
      transB,
      m,
      n,
      k,
      a: av.subarray(i * m * k),
      lda: transA ? m : k,
      b: bv.subarray(batchB === 1 ? 0 : i * k * n),
      ldb: transB ? k : n,
      c: cv.subarray(i * m * n),
      ldc: n,
    });
  }
  if (bias || activation === "relu") {
    const bv2 = bias ? backend.typedArrayFromHeap(bias) : undefined;
    epilogue(backend as HeapBackend, cv, bv2, n, activation === "relu");
  }
  return out;
}

/** Adds a per-channel bias (length `channels`, or one value) and applies ReLU, in place. */
function epilogue(
  backend: HeapBackend,
  values: Float32Array,
  bias: Float32Array | undefined,
  channels: number,
  relu: boolean,
): void {
  const simd = simdKernels(backend.wasm.asm.memory);
  if (channels % 4 === 0 && (!bias || bias.length === channels)) {
    const rows = values.length / channels;
    if (!bias) simd.relu(values.byteOffset, 1, values.length / 4);
    else if (relu) simd.biasRelu(values.byteOffset, rows, channels / 4, bias.byteOffset);
    else simd.biasAdd(values.byteOffset, rows, channels / 4, bias.byteOffset);
    return;
  }
  if (bias && bias.length === 1) channels = 1;
  for (let i = 0; i < values.length; i += channels) {
    for (let ch = 0; ch < channels; ch++) {
      let v = values[i + ch]! + (bias ? bias[ch]! : 0);
      if (relu && v < 0) v = 0;
      values[i + ch] = v;
    }
  }
}
