/**
 * One-pass gradients for the layers around a ResNet's convolutions, for the
 * `wasm` and `cpu` backends. TF.js composes them from generic ops: a batch
 * norm's gradient tiles its scale to the activation's full size and makes
 * seven more full passes (measured: 1.8 s of a 6.4 s ResNet-18 training step
 * at 112 px, batch 32), ReLU's makes three. Here each is one kernel:
 *
 * - `DroplineBatchNormGrad` (dx, dscale, doffset of `FusedBatchNorm` with given
 *   statistics, as in fine-tuning with frozen statistics; the mean and
 *   variance gradients, needed only when statistics come from the batch, keep
 *   TF.js' formulas);
 * - `DroplineReluGrad`;
 * - `MaxPoolGrad` for wasm, whose own runs ~10x slower than a scan of the
 *   windows (the maximum is the first largest in row-major window order, as on
 *   the cpu backend).
 *
 * Backends without the kernels keep TF.js' gradients.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import { type BackendLike, outputs, read } from "./_kernel_arrays.ts";
import { wrapWasmKernel } from "./_wrap_kernel.ts";
import { type SimdKernels, simdKernels } from "./_simd_kernels.ts";
import { hasRelaxedSimd } from "./_wasm_gemm.ts";

type Tensor = TfCore.Tensor;
type TensorInfo = TfCore.TensorInfo;
type KernelArgs = {
  inputs: Record<string, TensorInfo>;
  backend: unknown;
  attrs?: TfCore.NamedAttrMap;
};

/** Kernel names. */
export const BATCH_NORM_GRAD = "DroplineBatchNormGrad";
export const RELU_GRAD = "DroplineReluGrad";
const BACKENDS = ["wasm", "cpu"];

let registered = false;
const wrapped = new WeakSet<object>();

/**
 * Registers the kernels and the `FusedBatchNorm` and `Relu` gradients that use
 * them where the active backend has them (idempotent).
 *
 * @example
 * ```ts
 * registerTrainingKernels(tf);
 * ```
 */
export function registerTrainingKernels(tf: typeof TfCore): void {
  for (const backendName of BACKENDS) {
    if (tf.getKernel(BATCH_NORM_GRAD, backendName)) continue;
    tf.registerKernel({
      kernelName: BATCH_NORM_GRAD,
      backendName,
      kernelFunc: batchNormGrad as never,
    });
    tf.registerKernel({ kernelName: RELU_GRAD, backendName, kernelFunc: reluGrad as never });
  }
  wrapWasmKernel(tf, "MaxPoolGrad", (original) => (args) => {
    const { dy, input } = args.inputs;
    const nhwc = (args.attrs?.dataFormat ?? "NHWC") === "NHWC";
    if (!nhwc || dy!.dtype !== "float32" || input!.dtype !== "float32") return original(args);
    return maxPoolGrad(tf, args);
  }, wrapped);
  if (registered) return;
  registered = true;
  const has = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;
  const batchNorm = tf.getGradient("FusedBatchNorm")!;
  tf.registerGradient({
    ...batchNorm,
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved as Tensor[];
      const channels = x!.shape[x!.rank - 1];
      const perChannel = mean!.rank === 1 && mean!.size === channels && variance!.size === channels;
      if (!perChannel || !has(BATCH_NORM_GRAD) || (dy as Tensor).dtype !== "float32") {
        return batchNorm.gradFunc(dy, saved, attrs);
      }
      // TF.js' gradient computes full-size intermediates up front, and each input's gradient is
      // computed in a scope of its own that frees them: build it per statistic, only when asked.
      const statistic = (name: string) => () =>
        (batchNorm.gradFunc(dy, saved, attrs) as Record<string, () => Tensor>)[name]!();
      // For the same reason the three are separate kernels rather than one with three outputs.
      const inputs = { dy: dy as Tensor, x: x!, mean: mean!, variance: variance! };
      return {
        x: () =>
          tf.engine().runKernel(BATCH_NORM_GRAD, { ...inputs, ...(scale ? { scale } : {}) }, {
            ...attrs,
            output: "x",
          }) as Tensor,
        mean: statistic("mean"),
        variance: statistic("variance"),
        scale: () =>
          tf.engine().runKernel(BATCH_NORM_GRAD, inputs, { ...attrs, output: "scale" }) as Tensor,
        offset: () => tf.sum(dy as Tensor, [...Array(x!.rank - 1).keys()]),
      };
    },
  });
  const relu = tf.getGradient("Relu")!;
  tf.registerGradient({
    ...relu,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as Tensor[];
      if (!has(RELU_GRAD) || x!.dtype !== "float32") return relu.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as Tensor, x: x! }) as Tensor };
    },
  });
}

/** Rows summed in float32 by the SIMD loop before the sums move to float64. */
const SUM_BLOCK = 256;

/**
 * With inv = 1 / sqrt(variance + epsilon) per channel: output "x" is dx = dy · scale · inv;
 * output "scale" is dscale = Σ dy · (x - mean) · inv over every position.
 */
function batchNormGrad({ inputs, backend, attrs = {} }: KernelArgs): TensorInfo {
  const { dy, x, mean, variance, scale } = inputs as Record<string, TensorInfo>;
  const b = backend as BackendLike;
  const channels = x!.shape[x!.shape.length - 1]!;
  const epsilon = attrs.varianceEpsilon as number;
  const wantX = attrs.output === "x";
  const simd = simdOf(b, channels);
  return outputs(b, [wantX ? x!.shape : [channels]], ([out]) => {
    const dys = read(b, dy!);
    const v = read(b, variance!);
    const inv = new Float32Array(channels);
    for (let c = 0; c < channels; c++) inv[c] = 1 / Math.sqrt(v[c]! + epsilon);
    if (wantX) {
      const s = scale ? read(b, scale) : undefined;
      for (let c = 0; c < channels; c++) inv[c] = inv[c]! * (s ? s[c]! : 1);
      scaleChannels(b, simd, dys, inv, out!);
      return;
    }
    const { sumDy, sumDyX } = channelSums(b, simd, dys, read(b, x!), channels);
    const m = read(b, mean!);
    for (let c = 0; c < channels; c++) out![c] = (sumDyX[c]! - m[c]! * sumDy[c]!) * inv[c]!;
  })[0]!;
}

/** The SIMD loops when `b` is a wasm heap and rows are whole vectors. */
function simdOf(b: BackendLike, channels: number): SimdKernels | undefined {
  const memory = b.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory) || channels % 4 !== 0 || !hasRelaxedSimd()) return;
  return simdKernels(memory);
}

/** The wasm heap's current buffer (an allocation may have replaced the one views were made on). */
function heapBuffer(b: BackendLike): ArrayBufferLike {
  return (b.wasm!.asm!.memory as WebAssembly.Memory).buffer;
}

/** Runs `f` with `floats` floats of wasm heap scratch (byte offset), then frees it. */
function withScratch<T>(b: BackendLike, floats: number, f: (at: number) => T): T {
  const scratch = b.makeOutput!([floats], "float32");
  try {
    return f(b.typedArrayFromHeap!(scratch).byteOffset);
  } finally {
    b.disposeData(scratch.dataId);
  }
}

function scaleChannels(
  b: BackendLike,
  simd: SimdKernels | undefined,
  values: Float32Array,
  factors: Float32Array,
  out: Float32Array,
): void {
  const channels = factors.length;
  if (simd) {
    withScratch(b, channels, (at) => {
      new Float32Array(heapBuffer(b), at, channels).set(factors);
      simd.scaleRows(values.byteOffset, out.byteOffset, values.length / channels, channels / 4, at);
    });
    return;
  }
  for (let at = 0; at < values.length; at += channels) {
    for (let c = 0; c < channels; c++) out[at + c] = values[at + c]! * factors[c]!;
  }
}

/** Σ dy and Σ dy · x per channel, in float64 (a channel adds up to millions of terms). */
function channelSums(
  b: BackendLike,
  simd: SimdKernels | undefined,
  dys: Float32Array,
  xs: Float32Array,
  channels: number,
): { sumDy: Float64Array; sumDyX: Float64Array } {
  const sumDy = new Float64Array(channels);
  const sumDyX = new Float64Array(channels);
  const rows = dys.length / channels;
  if (simd) {
    withScratch(b, 2 * channels, (at) => {
      const acc = new Float32Array(heapBuffer(b), at, 2 * channels);
      for (let r0 = 0; r0 < rows; r0 += SUM_BLOCK) {
        const count = Math.min(SUM_BLOCK, rows - r0);
        acc.fill(0);
        const offset = r0 * channels * 4;
        simd.sums2(
          dys.byteOffset + offset,
          xs.byteOffset + offset,
          count,
          channels / 4,
          at,
          at + channels * 4,
        );
        for (let c = 0; c < channels; c++) {
          sumDy[c] = sumDy[c]! + acc[c]!;
          sumDyX[c] = sumDyX[c]! + acc[channels + c]!;
        }
      }
    });
    return { sumDy, sumDyX };
  }
  for (let at = 0; at < dys.length; at += channels) {
    for (let c = 0; c < channels; c++) {
      const g = dys[at + c]!;
      sumDy[c] = sumDy[c]! + g;
      sumDyX[c] = sumDyX[c]! + g * xs[at + c]!;
    }
  }
  return { sumDy, sumDyX };
}

function reluGrad({ inputs, backend }: KernelArgs): TensorInfo {
  const { dy, x } = inputs as Record<string, TensorInfo>;
  const b = backend as BackendLike;
  const size = x!.shape.reduce((p, q) => p * q, 1);
  const simd = simdOf(b, size);
  return outputs(b, [x!.shape], ([dx]) => {
    const dys = read(b, dy!);
    const xs = read(b, x!);
    const out = dx!;
    if (simd) return simd.reluGrad(xs.byteOffset, dys.byteOffset, out.byteOffset, 1, size / 4);
    for (let i = 0; i < xs.length; i++) out[i] = xs[i]! > 0 ? dys[i]! : 0;
  })[0]!;
}

/** Scatters each output's gradient to the first largest input of its window (NHWC, float32). */
function maxPoolGrad(tf: typeof TfCore, args: KernelArgs): TensorInfo {
  const { dy, input } = args.inputs as Record<string, TensorInfo>;
  const b = args.backend as BackendLike;
  const info = poolInfo(tf, input!.shape, args.attrs ?? {});
  return outputs(b, [input!.shape], ([dx]) => {
    scatterMax(read(b, dy!), read(b, input!), info, dx!);
  })[0]!;
}

interface PoolGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

function poolInfo(tf: typeof TfCore, shape: number[], attrs: TfCore.NamedAttrMap): PoolGeometry {
  const info = tf.backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    attrs.filterSize as [number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as "same",
    attrs.dimRoundingMode as "floor" | undefined,
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    channels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

function scatterMax(dy: Float32Array, x: Float32Array, g: PoolGeometry, dx: Float32Array): void {
  dx.fill(0);
  const c = g.channels;
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  let o = 0;
  for (let n = 0; n < g.batch; n++) {
    const image = n * g.inHeight * g.inWidth * c;
    for (let oh = 0; oh < g.outHeight; oh++) {
      const h0 = oh * g.strideHeight - g.padTop;
      const h1 = Math.min(g.inHeight, h0 + g.filterHeight);
      for (let ow = 0; ow < g.outWidth; ow++, o += c) {
        const w0 = ow * g.strideWidth - g.padLeft;
        const w1 = Math.min(g.inWidth, w0 + g.filterWidth);
        best.fill(-Infinity);
        where.fill(-1);
        for (let h = Math.max(0, h0); h < h1; h++) {
          for (let w = Math.max(0, w0); w < w1; w++) {
            const at = image + (h * g.inWidth + w) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[at + ch]!;
              if (v > best[ch]!) {
                best[ch] = v;
                where[ch] = at + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++) {
          const at = where[ch]!;
          if (at >= 0) dx[at] = dx[at]! + dy[o + ch]!;
        }
      }
    }
  }
}
