/**
 * Fast transposed matrix products on the wasm backend. Its `BatchMatMul` and
 * `_FusedMatMul` use XNNPACK only when neither operand is transposed; with
 * `transposeA` or `transposeB` (every dense layer's gradient) they fall back
 * to a scalar loop ~50x slower. The wrappers here transpose the operand
 * explicitly (a cheap copy) and take the fast path.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import { type KernelArgs, type KernelFunc, wrapWasmKernel } from "./_wrap_kernel.ts";
import { WasmOps } from "./_wasm_ops.ts";

type TensorInfo = TfCore.TensorInfo;

const KERNELS = ["BatchMatMul", "_FusedMatMul"];
const wrapped = new WeakSet<object>();

/**
 * Wraps the wasm matmul kernels (idempotent).
 *
 * @example
 * ```ts
 * registerWasmMatMul(tf);
 * tf.matMul(a, b, false, true); // now runs on XNNPACK
 * ```
 */
export function registerWasmMatMul(tf: typeof TfCore): void {
  for (const kernelName of KERNELS) {
    wrapWasmKernel(
      tf,
      kernelName,
      (original) => (args) => untransposed(tf, original, args),
      wrapped,
    );
  }
}

function untransposed(tf: typeof TfCore, original: KernelFunc, args: KernelArgs): TensorInfo {
  const attrs = args.attrs ?? {};
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const transposeA = attrs.transposeA === true;
  const transposeB = attrs.transposeB === true;
  // XNNPACK's path handles one matrix pair; batched products keep the original code.
  if ((!transposeA && !transposeB) || outer(a) !== 1 || outer(b) !== 1) return original(args);
  const ops = new WasmOps(tf, args.backend);
  const made: TensorInfo[] = [];
  const flip = (t: TensorInfo) => {
    const r = t.shape.length;
    const perm = [...Array(r - 2).keys(), r - 1, r - 2];
    const out = ops.transpose(t, perm);
    made.push(out);
    return out;
  };
  try {
    return original({
      ...args,
      inputs: { ...args.inputs, a: transposeA ? flip(a) : a, b: transposeB ? flip(b) : b },
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
  } finally {
    ops.dispose(...made);
  }
}

function outer(t: TensorInfo): number {
  return t.shape.slice(0, -2).reduce((p, q) => p * q, 1);
}
