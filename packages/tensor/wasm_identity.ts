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
import { wrapWasmKernel } from "./_wrap_kernel.ts";

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
  wrapWasmKernel(tf, "Identity", (original) => (args) => {
    const x = args.inputs.x!;
    if (x.dtype === "string") return original(args);
    (args.backend as { incRef(dataId: TfCore.DataId): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }, wrapped);
}
