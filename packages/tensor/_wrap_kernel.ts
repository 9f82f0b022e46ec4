/**
 * Replacing a registered wasm kernel by a wrapper around it, once: the
 * mechanism behind the fast paths (`gemm_conv.ts`, `wasm_matmul.ts`,
 * `wasm_sum.ts`, `wasm_identity.ts`).
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";

/** What TF.js passes a kernel function. */
export type KernelArgs = {
  inputs: Record<string, TfCore.TensorInfo>;
  backend: unknown;
  attrs?: TfCore.NamedAttrMap;
};

/** A kernel function with a single output. */
export type KernelFunc = (args: KernelArgs) => TfCore.TensorInfo;

/**
 * Re-registers the wasm kernel `kernelName` as `wrap(original)`. Idempotent
 * per `wrapped` set: a kernel that is already one of that set's wrappers is
 * left alone, so loading the runtime twice does not stack wrappers.
 *
 * @example
 * ```ts
 * const mine = new WeakSet<object>();
 * wrapWasmKernel(tf, "Sum", (original) => (args) => original(args), mine);
 * ```
 */
export function wrapWasmKernel(
  tf: typeof TfCore,
  kernelName: string,
  wrap: (original: KernelFunc) => KernelFunc,
  wrapped: WeakSet<object>,
): void {
  const config = tf.getKernel(kernelName, "wasm");
  if (!config || wrapped.has(config.kernelFunc)) return;
  const kernelFunc = wrap(config.kernelFunc as unknown as KernelFunc);
  wrapped.add(kernelFunc);
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: kernelFunc as never });
}
