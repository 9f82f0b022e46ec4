/**
 * Reading and allocating float32 tensors inside a kernel, the same way on the
 * `wasm` backend (views of its heap) and the `cpu` backend (its stored arrays),
 * so a hand-written kernel has one body for both.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";

type TensorInfo = TfCore.TensorInfo;

/** What kernels need of a backend: wasm exposes its heap, cpu its stored arrays. */
export interface BackendLike {
  readSync(dataId: TfCore.DataId): unknown;
  makeTensorInfo(shape: number[], dtype: TfCore.DataType, values?: Float32Array): TensorInfo;
  makeOutput?(shape: number[], dtype: TfCore.DataType): TensorInfo;
  typedArrayFromHeap?(info: TensorInfo): Float32Array;
  disposeData(dataId: TfCore.DataId): boolean;
  wasm?: { asm?: { memory?: unknown } };
}

/**
 * Allocates float32 outputs, lets `fill` write them, and returns their infos.
 *
 * @example
 * ```ts
 * const [y] = outputs(backend, [x.shape], ([out]) => out!.set(read(backend, x)));
 * ```
 */
export function outputs(
  b: BackendLike,
  shapes: number[][],
  fill: (views: Float32Array[]) => void,
): TensorInfo[] {
  if (b.makeOutput && b.typedArrayFromHeap) {
    // Allocate everything first: a later allocation may move the wasm heap and void earlier views.
    const infos = shapes.map((shape) => b.makeOutput!(shape, "float32"));
    fill(infos.map((info) => b.typedArrayFromHeap!(info)));
    return infos;
  }
  const arrays = shapes.map((shape) => new Float32Array(shape.reduce((p, q) => p * q, 1)));
  fill(arrays);
  return arrays.map((values, i) => b.makeTensorInfo(shapes[i]!, "float32", values));
}

/**
 * The values of a float32 tensor (a view of the wasm heap: take it after the last allocation).
 *
 * @example
 * ```ts
 * const values = read(backend, x);
 * ```
 */
export function read(b: BackendLike, info: TensorInfo): Float32Array {
  return b.typedArrayFromHeap
    ? b.typedArrayFromHeap(info)
    : b.readSync(info.dataId) as Float32Array;
}
