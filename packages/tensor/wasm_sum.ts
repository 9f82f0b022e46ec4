/**
 * A faster `Sum` over leading axes on the wasm backend. Every bias gradient
 * sums `dy` over batch and space (`[N, H, W, C]` over axes 0-2); wasm's kernel
 * first transposes the whole tensor so the reduced axes come last, which costs
 * more than the sum. Here the rows are added directly, channels innermost.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import { type KernelArgs, type KernelFunc, wrapWasmKernel } from "./_wrap_kernel.ts";
import type { WasmBackendLike } from "./_wasm_ops.ts";

type TensorInfo = TfCore.TensorInfo;

const wrapped = new WeakSet<object>();

/**
 * Wraps the wasm `Sum` kernel (idempotent).
 *
 * @example
 * ```ts
 * registerWasmSum(tf);
 * tf.sum(dy, [0, 1, 2]); // rows added in place, no transpose
 * ```
 */
export function registerWasmSum(tf: typeof TfCore): void {
  wrapWasmKernel(tf, "Sum", (original) => (args) => leadingSum(tf, original, args), wrapped);
}

function leadingSum(tf: typeof TfCore, original: KernelFunc, args: KernelArgs): TensorInfo {
  const x = args.inputs.x!;
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(args.attrs?.axis as number | number[], x.shape).sort((a, b) =>
    a - b
  );
  const leading = rank >= 2 && axes.length === rank - 1 && axes.every((a, i) => a === i);
  if (!leading || x.dtype !== "float32") return original(args);
  const backend = args.backend as WasmBackendLike;
  const width = x.shape[rank - 1]!;
  const shape = args.attrs?.keepDims ? [...new Array(rank - 1).fill(1), width] : [width];
  const out = backend.makeOutput(shape, "float32");
  const values = backend.typedArrayFromHeap(x);
  // Float64 partial sums: a bias gradient adds up to millions of terms.
  const sums = new Float64Array(width);
  for (let at = 0; at < values.length; at += width) {
    for (let c = 0; c < width; c++) sums[c] = sums[c]! + values[at + c]!;
  }
  backend.typedArrayFromHeap(out).set(sums);
  return out;
}
