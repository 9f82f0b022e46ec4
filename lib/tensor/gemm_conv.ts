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
import { im2col } from "./_im2col.ts";
import { Gemm, hasRelaxedSimd } from "./_wasm_gemm.ts";
import type { WasmBackendLike } from "./_wasm_ops.ts";

type TensorInfo = TfCore.TensorInfo;
type KernelArgs = {
  inputs: Record<string, TensorInfo>;
  backend: unknown;
  attrs?: TfCore.NamedAttrMap;
};
type KernelFunc = (args: KernelArgs) => TensorInfo;

const MIN_DEPTH = 64;
const MAX_PACKED_WEIGHT_BYTES = 2 << 20;
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
    const config = tf.getKernel(kernelName, "wasm");
    if (!config || wrapped.has(config.kernelFunc)) continue;
    const original = config.kernelFunc as unknown as KernelFunc;
    const kernelFunc = (args: KernelArgs) => gemmConv(tf, original, args);
    wrapped.add(kernelFunc);
    tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: kernelFunc as never });
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
  const suited = info.dilationHeight === 1 && info.dilationWidth === 1 && depth >= MIN_DEPTH &&
    columns % 8 === 0 && depth * columns * 4 <= MAX_PACKED_WEIGHT_BYTES;
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
