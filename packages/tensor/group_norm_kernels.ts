/**
 * Fused group normalisation kernels (`DroplineGroupNorm` and its gradient) for
 * the `wasm` and `cpu` backends, with the gradient registered for autodiff.
 * Other backends keep the op-by-op version in `group_norm.ts`.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import { groupNormBackward, groupNormForward, type GroupNormShape } from "./_group_norm_math.ts";
import { groupNormBackwardSimd, groupNormForwardSimd } from "./_group_norm_simd.ts";
import { hasRelaxedSimd } from "./_wasm_gemm.ts";
import { type BackendLike, outputs, read } from "./_kernel_arrays.ts";

type TensorInfo = TfCore.TensorInfo;
type KernelArgs = {
  inputs: Record<string, TensorInfo>;
  backend: unknown;
  attrs?: TfCore.NamedAttrMap;
};

/** Kernel names. */
export const GROUP_NORM = "DroplineGroupNorm";
export const GROUP_NORM_GRAD = "DroplineGroupNormGrad";
const BACKENDS = ["wasm", "cpu"];

/** The wasm heap when the SIMD loops can run on it (channels in fours), else undefined. */
function simdHeap(b: BackendLike, channels: number): WebAssembly.Memory | undefined {
  const memory = b.wasm?.asm?.memory;
  const usable = memory instanceof WebAssembly.Memory && channels % 4 === 0 && hasRelaxedSimd();
  return usable ? memory : undefined;
}

/** Runs `f` with a scratch tensor of `floats` floats in the wasm heap, then frees it. */
function withScratch<T>(b: BackendLike, floats: number, f: (offset: number) => T): T {
  const scratch = b.makeOutput!([floats], "float32");
  try {
    return f(b.typedArrayFromHeap!(scratch).byteOffset);
  } finally {
    b.disposeData(scratch.dataId);
  }
}

const offset = (b: BackendLike, t: TensorInfo) => b.typedArrayFromHeap!(t).byteOffset;

/**
 * Registers both kernels and the gradient (idempotent).
 *
 * @example
 * ```ts
 * registerGroupNormKernels(tf);
 * const y = tf.engine().runKernel("DroplineGroupNorm", { x, gamma, beta }, { groups: 8, epsilon: 1e-5 });
 * ```
 */
export function registerGroupNormKernels(tf: typeof TfCore): void {
  for (const backendName of BACKENDS) {
    if (tf.getKernel(GROUP_NORM, backendName)) continue;
    tf.registerKernel({ kernelName: GROUP_NORM, backendName, kernelFunc: forward as never });
    tf.registerKernel({ kernelName: GROUP_NORM_GRAD, backendName, kernelFunc: backward as never });
  }
  if (tf.getGradient(GROUP_NORM)) return;
  tf.registerGradient({
    kernelName: GROUP_NORM,
    inputsToSave: ["x", "gamma"],
    gradFunc: (dy, saved, attrs) => {
      const [x, gamma] = saved as [TfCore.Tensor, TfCore.Tensor];
      const inputs = { dy: dy as TfCore.Tensor, x, gamma };
      const [dx, dgamma, dbeta] = tf.engine().runKernel(
        GROUP_NORM_GRAD,
        inputs,
        attrs,
      ) as TfCore.Tensor[];
      return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
    },
  });
}

/** True when the active backend has the fused kernel. */
export function hasGroupNormKernel(tf: typeof TfCore): boolean {
  return tf.getKernel(GROUP_NORM, tf.getBackend()) !== undefined;
}

function layout(x: TensorInfo, attrs: TfCore.NamedAttrMap): GroupNormShape {
  const channels = x.shape[x.shape.length - 1]!;
  return {
    batch: x.shape[0]!,
    spatial: x.shape.slice(1, -1).reduce((a, b) => a * b, 1),
    channels,
    groups: attrs.groups as number,
    epsilon: attrs.epsilon as number,
  };
}

function forward({ inputs, backend, attrs = {} }: KernelArgs): TensorInfo {
  const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const b = backend as BackendLike;
  const shape = layout(x, attrs);
  const memory = simdHeap(b, shape.channels);
  if (memory) {
    const y = b.makeOutput!(x.shape, "float32");
    withScratch(b, 8 * shape.channels, (scratch) => {
      const [xo, go, bo, yo] = [x, gamma, beta, y].map((t) => offset(b, t)) as [
        number,
        number,
        number,
        number,
      ];
      groupNormForwardSimd({ memory, scratch }, xo, go, bo, yo, shape);
    });
    return y;
  }
  const [y] = outputs(b, [x.shape], (views) => {
    groupNormForward(read(b, x), read(b, gamma), read(b, beta), layout(x, attrs), views[0]!);
  });
  return y!;
}

function backward({ inputs, backend, attrs = {} }: KernelArgs): TensorInfo[] {
  const { dy, x, gamma } = inputs as { dy: TensorInfo; x: TensorInfo; gamma: TensorInfo };
  const b = backend as BackendLike;
  const shape = layout(x, attrs);
  const memory = simdHeap(b, shape.channels);
  if (memory) {
    const outs = [x.shape, gamma.shape, gamma.shape].map((s) => b.makeOutput!(s, "float32"));
    const grads = withScratch(b, 8 * shape.channels, (scratch) => {
      const [dyo, xo, go, dxo] = [dy, x, gamma, outs[0]!].map((t) => offset(b, t)) as [
        number,
        number,
        number,
        number,
      ];
      return groupNormBackwardSimd({ memory, scratch }, dyo, xo, go, dxo, shape);
    });
    b.typedArrayFromHeap!(outs[1]!).set(grads.dgamma);
    b.typedArrayFromHeap!(outs[2]!).set(grads.dbeta);
    return outs;
  }
  return outputs(b, [x.shape, gamma.shape, gamma.shape], ([dx, dgamma, dbeta]) => {
    groupNormBackward(
      read(b, dy),
      read(b, x),
      read(b, gamma),
      layout(x, attrs),
      dx!,
      dgamma!,
      dbeta!,
    );
  });
}
