/**
 * Faster copies and per-channel passes on the wasm backend, for the layers
 * around a ResNet's convolutions: `Slice` and `PadV2` (explicit padding layers
 * and their gradients) as runs of `memmove` instead of wasm's element-wise
 * loops, and `FusedBatchNorm` with given statistics as one SIMD multiply-add
 * per element. Other calls go to the kernel registered before.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import { type KernelArgs, type KernelFunc, wrapWasmKernel } from "./_wrap_kernel.ts";
import { simdKernels } from "./_simd_kernels.ts";
import { hasRelaxedSimd } from "./_wasm_gemm.ts";
import type { WasmBackendLike } from "./_wasm_ops.ts";

type TensorInfo = TfCore.TensorInfo;

interface HeapBackend extends WasmBackendLike {
  wasm: { asm: { memory: WebAssembly.Memory } };
}

const wrapped = new WeakSet<object>();

/**
 * Wraps `Slice`, `PadV2` and `FusedBatchNorm` of the wasm backend (idempotent).
 *
 * @example
 * ```ts
 * registerWasmLayoutOps(tf);
 * ```
 */
export function registerWasmLayoutOps(tf: typeof TfCore): void {
  wrapWasmKernel(tf, "Slice", (original) => (args) => slice(tf, original, args), wrapped);
  wrapWasmKernel(tf, "PadV2", (original) => (args) => pad(original, args), wrapped);
  wrapWasmKernel(tf, "FusedBatchNorm", (original) => (args) => batchNorm(original, args), wrapped);
}

/** Strides of a row-major shape. */
function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1]! * shape[i + 1]!;
  return out;
}

/**
 * Calls `copy(from, to)` for every index of the leading `dims` axes of `outer`
 * (odometer order), with offsets advanced by the two stride lists.
 */
function eachRun(
  outer: readonly number[],
  from: { start: number; strides: readonly number[] },
  to: { start: number; strides: readonly number[] },
  copy: (src: number, dst: number) => void,
): void {
  const index = new Array<number>(outer.length).fill(0);
  const total = outer.reduce((a, b) => a * b, 1);
  for (let n = 0; n < total; n++) {
    let src = from.start, dst = to.start;
    for (let d = 0; d < outer.length; d++) {
      src += index[d]! * from.strides[d]!;
      dst += index[d]! * to.strides[d]!;
    }
    copy(src, dst);
    for (let d = outer.length - 1; d >= 0; d--) {
      if (++index[d]! < outer[d]!) break;
      index[d] = 0;
    }
  }
}

function slice(tf: typeof TfCore, original: KernelFunc, args: KernelArgs): TensorInfo {
  const x = args.inputs.x!;
  if (x.dtype !== "float32" || x.shape.length === 0) return original(args);
  const [begin, size] = tf.slice_util.parseSliceParams(
    x as TfCore.TensorInfo as never,
    args.attrs!.begin as number[],
    args.attrs!.size as number[],
  ) as [number[], number[]];
  // Axes after `k` are whole, so each index of the axes before it is one contiguous run.
  let k = x.shape.length - 1;
  while (k > 0 && begin[k] === 0 && size[k] === x.shape[k]) k--;
  const backend = args.backend as HeapBackend;
  const out = backend.makeOutput(size, "float32");
  const heap = new Float32Array(backend.wasm.asm.memory.buffer);
  const xAt = backend.typedArrayFromHeap(x).byteOffset / 4;
  const outAt = backend.typedArrayFromHeap(out).byteOffset / 4;
  const xStrides = strides(x.shape);
  const run = size.slice(k).reduce((a, b) => a * b, 1);
  const start = xAt + begin.reduce((sum, b, d) => sum + b * xStrides[d]!, 0);
  eachRun(
    size.slice(0, k),
    { start, strides: xStrides },
    { start: outAt, strides: strides(size) },
    (src, dst) => heap.copyWithin(dst, src, src + run),
  );
  return out;
}

function pad(original: KernelFunc, args: KernelArgs): TensorInfo {
  const x = args.inputs.x!;
  const paddings = args.attrs!.paddings as [number, number][];
  if (x.dtype !== "float32" || x.shape.length === 0) return original(args);
  const outShape = x.shape.map((n, d) => paddings[d]![0] + n + paddings[d]![1]);
  let k = x.shape.length - 1;
  while (k > 0 && paddings[k]![0] === 0 && paddings[k]![1] === 0) k--;
  const backend = args.backend as HeapBackend;
  const out = backend.makeOutput(outShape, "float32");
  const heap = new Float32Array(backend.wasm.asm.memory.buffer);
  const xAt = backend.typedArrayFromHeap(x).byteOffset / 4;
  const outAt = backend.typedArrayFromHeap(out).byteOffset / 4;
  const size = outShape.reduce((a, b) => a * b, 1);
  heap.fill((args.attrs!.constantValue as number | undefined) ?? 0, outAt, outAt + size);
  const outStrides = strides(outShape);
  const run = x.shape.slice(k).reduce((a, b) => a * b, 1);
  const start = outAt + paddings.reduce((sum, [before], d) => sum + before * outStrides[d]!, 0);
  eachRun(
    x.shape.slice(0, k),
    { start: xAt, strides: strides(x.shape) },
    { start, strides: outStrides },
    (src, dst) => heap.copyWithin(dst, src, src + run),
  );
  return out;
}

/** y = (x - mean) · scale / sqrt(variance + epsilon) + offset, per channel (the last axis). */
function batchNorm(original: KernelFunc, args: KernelArgs): TensorInfo {
  const { x, mean, variance, offset, scale } = args.inputs;
  const channels = x!.shape[x!.shape.length - 1]!;
  const perChannel = [mean, variance, offset, scale].every((t) =>
    !t || (t.shape.length === 1 && t.shape[0] === channels)
  );
  if (x!.dtype !== "float32" || channels % 4 !== 0 || !perChannel || !hasRelaxedSimd()) {
    return original(args);
  }
  const backend = args.backend as HeapBackend;
  const out = backend.makeOutput(x!.shape, "float32");
  const factors = backend.makeOutput([2 * channels], "float32");
  try {
    const f = backend.typedArrayFromHeap(factors);
    const m = backend.typedArrayFromHeap(mean!);
    const v = backend.typedArrayFromHeap(variance!);
    const o = offset ? backend.typedArrayFromHeap(offset) : undefined;
    const s = scale ? backend.typedArrayFromHeap(scale) : undefined;
    const epsilon = args.attrs!.varianceEpsilon as number;
    for (let c = 0; c < channels; c++) {
      const k = (s ? s[c]! : 1) / Math.sqrt(v[c]! + epsilon);
      f[c] = k;
      f[channels + c] = (o ? o[c]! : 0) - m[c]! * k;
    }
    const rows = backend.typedArrayFromHeap(x!).length / channels;
    simdKernels(backend.wasm.asm.memory).affine(
      backend.typedArrayFromHeap(x!).byteOffset,
      backend.typedArrayFromHeap(out).byteOffset,
      rows,
      channels / 4,
      f.byteOffset,
      f.byteOffset + channels * 4,
    );
  } finally {
    backend.disposeData(factors.dataId);
  }
  return out;
}
