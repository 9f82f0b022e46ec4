/**
 * `Conv2D` and `FusedConv2D` for the wasm backend as im2col + our FMA GEMM
 * (`_wasm_gemm.ts`), ~1.4x XNNPACK's speed on the convolutions of the MNIST
 * CNN. Calls outside its sweet spot (small reductions, column counts not a
 * multiple of 8, weights larger than the L2 cache, dilation, NCHW, other
 * activations) go to the original kernel.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import { type KernelArgs, type KernelFunc, wrapWasmKernel } from "./_wrap_kernel.ts";
import { type ConvGeometry, im2col, patchSource } from "./_im2col.ts";
import { Gemm, hasRelaxedSimd } from "./_wasm_gemm.ts";
import type { WasmBackendLike } from "./_wasm_ops.ts";

type TensorInfo = TfCore.TensorInfo;

const MIN_DEPTH = 64;
const MAX_PACKED_WEIGHT_BYTES = 2 << 20;
/** The workspace lives in a 32-bit wasm memory: larger calls go to XNNPACK (which needs no im2col). */
const MAX_WORKSPACE_FLOATS = 2 ** 26;
const wrapped = new WeakSet<object>();
let gemm: Gemm | undefined;
let calls = 0;

/** How many convolutions ran on the GEMM path in this thread (for tests). */
export function gemmConvCalls(): number {
  return calls;
}

/**
 * Wraps the wasm `Conv2D` and `FusedConv2D` kernels (idempotent; a no-op where
 * relaxed SIMD is missing).
 *
 * @example
 * ```ts
 * registerGemmConv(tf);
 * ```
 */
export function registerGemmConv(tf: typeof TfCore): void {
  if (!hasRelaxedSimd()) return;
  for (const kernelName of ["Conv2D", "FusedConv2D"]) {
    wrapWasmKernel(tf, kernelName, (original) => (args) => gemmConv(tf, original, args), wrapped);
  }
}

function gemmConv(tf: typeof TfCore, original: KernelFunc, args: KernelArgs): TensorInfo {
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  const attrs = args.attrs ?? {};
  const activation = (attrs.activation as string | undefined) ?? "linear";
  const plain = (attrs.dataFormat ?? "NHWC") === "NHWC" && x!.dtype === "float32" &&
    (activation === "linear" || activation === "relu") && !preluActivationWeights;
  if (!plain) return original(args);
  const info = tf.backend_util.computeConv2DInfo(
    x!.shape as [number, number, number, number],
    filter!.shape as [number, number, number, number],
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | undefined) ?? 1,
    attrs.pad as "same",
    attrs.dimRoundingMode as "floor" | undefined,
  );
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const columns = info.outChannels;
  const rowsTotal = info.batchSize * info.outHeight * info.outWidth;
  const suited = info.dilationHeight === 1 && info.dilationWidth === 1 && depth >= MIN_DEPTH &&
    columns % 8 === 0 && depth * columns * 4 <= MAX_PACKED_WEIGHT_BYTES &&
    (rowsTotal + 6) * (depth + columns) <= MAX_WORKSPACE_FLOATS;
  if (!suited) return original(args);
  calls++;
  const backend = args.backend as WasmBackendLike;
  const rows = info.batchSize * info.outHeight * info.outWidth;
  gemm ??= new Gemm();
  gemm.reset();
  // The A operand gets 6 rows of slack: the last tile reads past the end.
  const a = gemm.alloc((rows + 6) * depth);
  const b = gemm.packB(backend.typedArrayFromHeap(filter!), depth, columns);
  const c = gemm.alloc(rows * columns);
  im2col(backend.typedArrayFromHeap(x!), {
    ...info,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  }, gemm.view(a, rows * depth));
  gemm.multiply(a, rows, depth, b, columns, c);
  const out = backend.makeOutput(info.outShape, "float32");
  const values = backend.typedArrayFromHeap(out);
  values.set(gemm.view(c, rows * columns));
  if (bias || activation === "relu") {
    epilogue(values, bias ? backend.typedArrayFromHeap(bias) : undefined, activation === "relu");
  }
  return out;
}

/** Adds the per-channel bias and applies ReLU in place. */
function epilogue(values: Float32Array, bias: Float32Array | undefined, relu: boolean): void {
  const channels = bias?.length ?? 1;
  for (let i = 0; i < values.length; i += channels) {
    for (let ch = 0; ch < channels; ch++) {
      let v = values[i + ch]! + (bias ? bias[ch]! : 0);
      if (relu && v < 0) v = 0;
      values[i + ch] = v;
    }
  }
}

/**
 * Reduction block of the filter gradient (pixels). With panels outermost, one
 * 512 x 8 block of B (16 KB) stays in L1 while every row tile of dyᵀ passes.
 */
const FILTER_GRAD_KC = 512;

/**
 * The filter gradient as dWᵀ = dyᵀ · im2col(x) on the GEMM, or undefined when
 * the shapes do not suit it (the caller then uses XNNPACK).
 *
 * @example
 * ```ts
 * const dw = gemmFilterGrad(info, x, dy, backend) ?? fallback();
 * ```
 */
export function gemmFilterGrad(
  info: TfCore.backend_util.Conv2DInfo,
  x: TensorInfo,
  dy: TensorInfo,
  backend: unknown,
): TensorInfo | undefined {
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const pixelsTotal = info.batchSize * info.outHeight * info.outWidth;
  const suited = hasRelaxedSimd() && info.inChannels % 8 === 0 && depth >= MIN_DEPTH &&
    info.dilationHeight === 1 && info.dilationWidth === 1 && x.dtype === "float32" &&
    pixelsTotal * (depth + info.outChannels + 1) + x.shape.reduce((p, q) => p * q, 1) <=
      MAX_WORKSPACE_FLOATS;
  if (!suited) return undefined;
  calls++;
  const wasm = backend as WasmBackendLike;
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const co = info.outChannels;
  gemm ??= new Gemm();
  gemm.reset();
  const a = gemm.alloc((co + 6) * pixels);
  const b = gemm.alloc(depth * pixels);
  const c = gemm.alloc(co * depth);
  const g: ConvGeometry = { ...info, padTop: info.padInfo.top, padLeft: info.padInfo.left };
  const image = gemm.alloc(x.shape.reduce((p, q) => p * q, 1));
  const zeros = gemm.alloc(info.inChannels + 8);
  const table = gemm.alloc(pixels);
  gemm.view(image, x.shape.reduce((p, q) => p * q, 1)).set(wasm.typedArrayFromHeap(x));
  gemm.view(zeros, info.inChannels + 8).fill(0);
  transpose(wasm.typedArrayFromHeap(dy), pixels, co, gemm.view(a, co * pixels));
  gatherPanels(g, image, zeros, table, b);
  gemm.multiply(a, co, pixels, b, depth, c, { lda: pixels, kc: FILTER_GRAD_KC, panelsOuter: true });
  const out = wasm.makeOutput(info.filterShape, "float32");
  transpose(gemm.view(c, co * depth), co, depth, wasm.typedArrayFromHeap(out));
  return out;
}

/** out[j, i] = src[i, j] for a row-major `rows x cols` matrix, in cache-sized blocks. */
function transpose(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const block = 32;
  for (let i0 = 0; i0 < rows; i0 += block) {
    const i1 = Math.min(rows, i0 + block);
    for (let j0 = 0; j0 < cols; j0 += block) {
      const j1 = Math.min(cols, j0 + block);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) out[j * rows + i] = src[i * cols + j]!;
      }
    }
  }
}

/**
 * The im2col columns of the input gradient, col = dy · Wᵀ, on the GEMM; a view
 * valid until the next GEMM call, or undefined when the shapes do not suit it.
 *
 * @example
 * ```ts
 * const col = gemmInputGradColumns(info, dy, filter, backend);
 * if (col) col2im(col, geometry, dx);
 * ```
 */
export function gemmInputGradColumns(
  info: TfCore.backend_util.Conv2DInfo,
  dy: TensorInfo,
  filter: TensorInfo,
  backend: unknown,
): Float32Array | undefined {
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  const rowsTotal = info.batchSize * info.outHeight * info.outWidth;
  if (!hasRelaxedSimd() || depth % 8 !== 0 || co < MIN_DEPTH || dy.dtype !== "float32") return;
  if ((rowsTotal + 6) * (co + depth) > MAX_WORKSPACE_FLOATS) return;
  calls++;
  const wasm = backend as WasmBackendLike;
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const filterT = new Float32Array(depth * co);
  transpose(wasm.typedArrayFromHeap(filter), depth, co, filterT);
  gemm ??= new Gemm();
  gemm.reset();
  const a = gemm.alloc((rows + 6) * co);
  const b = gemm.packB(filterT, co, depth);
  const c = gemm.alloc(rows * depth);
  gemm.view(a, rows * co).set(wasm.typedArrayFromHeap(dy));
  gemm.multiply(a, rows, co, b, depth, c);
  return gemm.view(c, rows * depth);
}

/**
 * Writes im2col(x) as B panels (`[depth / 8][pixels][8]`) with the wasm gather:
 * per filter tap, a table of each output pixel's source offset (or a zero
 * block in the padding), then one gather per 8 channels.
 */
function gatherPanels(
  g: ConvGeometry,
  image: number,
  zeros: number,
  table: number,
  panels: number,
) {
  const pixels = g.outHeight * g.outWidth;
  const rows = g.batchSize * pixels;
  const offsets = new Int32Array(gemm!.memory.buffer, table, rows);
  for (let kh = 0; kh < g.filterHeight; kh++) {
    for (let kw = 0; kw < g.filterWidth; kw++) {
      for (let m = 0; m < rows; m++) {
        const src = patchSource(g, m, kh, kw, pixels);
        offsets[m] = src < 0 ? zeros : image + src * 4;
      }
      const firstPanel = ((kh * g.filterWidth + kw) * g.inChannels) / 8;
      for (let c0 = 0; c0 < g.inChannels; c0 += 8) {
        gemm!.gather8(table, rows, c0 * 4, panels + (firstPanel + c0 / 8) * rows * 32);
      }
    }
  }
}
