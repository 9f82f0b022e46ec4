/**
 * Small helpers for kernels written on top of the wasm backend: calling its own
 * kernels directly (no engine, no tape) and reading/writing its heap.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";

type TensorInfo = TfCore.TensorInfo;
type NamedAttrMap = TfCore.NamedAttrMap;

/** What our kernels need of `BackendWasm` (its public but undeclared-by-core surface). */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: TfCore.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  disposeData(dataId: TfCore.DataId, force?: boolean): boolean;
}

/** Kernel-level operations bound to one wasm backend instance. */
export class WasmOps {
  #tf: typeof TfCore;
  #backend: WasmBackendLike;

  constructor(tf: typeof TfCore, backend: unknown) {
    this.#tf = tf;
    this.#backend = backend as WasmBackendLike;
  }

  /** Runs the wasm backend's own kernel `name`. */
  run(name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = this.#tf.getKernel(name, "wasm");
    if (!kernel) throw new Error(`The wasm backend has no kernel "${name}"`);
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.#backend as never });
    return (Array.isArray(out) ? out[0] : out) as TensorInfo;
  }

  /** A view of a tensor with another shape (same data, no copy). */
  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return { dataId: x.dataId, shape, dtype: x.dtype };
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  /** `a @ b` for 2-D float32 operands. */
  matMul(a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.run("BatchMatMul", { a, b }, { transposeA: false, transposeB: false });
  }

  /** A fresh output tensor; its contents are uninitialised until written. */
  alloc(shape: number[]): TensorInfo {
    return this.#backend.makeOutput(shape, "float32");
  }

  /** A view of the data in the wasm heap; take it after the last allocation (the heap may move). */
  view(x: TensorInfo): Float32Array {
    return this.#backend.typedArrayFromHeap(x);
  }

  /** Gives the output the final shape, owning exactly one reference. */
  finish(x: TensorInfo, shape: number[]): TensorInfo {
    const out = this.run("Reshape", { x }, { shape });
    this.dispose(x);
    return out;
  }

  dispose(...infos: TensorInfo[]): void {
    for (const info of infos) this.#backend.disposeData(info.dataId);
  }
}
