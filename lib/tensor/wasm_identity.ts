/**
 * A zero-copy `Identity` for the wasm backend. TF.js clones every tensor it
 * saves for the backward pass through `Identity`, and wasm's kernel copies the
 * data each time (~3 ms per activation of the MNIST CNN). Tensors are
 * immutable, so sharing the buffer with one more reference is enough, as the
 * cpu backend does.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";

type TensorInfo = TfCore.TensorInfo;
type KernelArgs = { inputs: Record<string, TensorInfo>; backend: unknown };
type KernelFunc = (args: KernelArgs) => TensorInfo;

const wrapped = new WeakSet<object>();

/**
 * Wraps the wasm `Identity` kernel (idempotent).
 *
 * @example
 * ```ts
 * registerWasmIdentity(tf);
 * tf.clone(x); // shares x's buffer
 * ```
 */
export function registerWasmIdentity(tf: typeof TfCore): void {
  const config = tf.getKernel("Identity", "wasm");
  if (!config || wrapped.has(config.kernelFunc)) return;
  const original = config.kernelFunc as unknown as KernelFunc;
  const kernelFunc = (args: KernelArgs) => {
    const x = args.inputs.x!;
    if (x.dtype === "string") return original(args);
    (args.backend as { incRef(dataId: TfCore.DataId): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  wrapped.add(kernelFunc);
  tf.unregisterKernel("Identity", "wasm");
  tf.registerKernel({
    kernelName: "Identity",
    backendName: "wasm",
    kernelFunc: kernelFunc as never,
  });
}
