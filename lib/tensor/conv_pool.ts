/**
 * Runs the wasm backend's convolutions on two cores. TF.js' wasm build calls
 * XNNPACK without a thread pool, so each convolution uses one core. Here the
 * `Conv2D` and `FusedConv2D` kernels are wrapped: a large call gives half of its
 * batch to a worker thread with its own wasm backend (inputs and outputs cross
 * through shared memory), computes the other half itself, and joins the halves.
 *
 * The gradient kernels in `wasm_kernels.ts` are convolutions too, so training
 * is parallel as well. Results are identical to the one-thread path: every
 * output element is computed by the same code in the same order.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import { Worker } from "node:worker_threads";
import {
  createSharedBuffers,
  DONE,
  ensureCapacity,
  IDLE,
  type Job,
  POSTED,
  readJob,
  type SharedBuffers,
  type SharedTensor,
  STATE,
  writeJob,
} from "./_shared_job.ts";
import type { WasmBackendLike } from "./_wasm_ops.ts";

type TensorInfo = TfCore.TensorInfo;
type KernelArgs = {
  inputs: Record<string, TensorInfo>;
  backend: unknown;
  attrs?: TfCore.NamedAttrMap;
};
type KernelFunc = (args: KernelArgs) => TensorInfo;

/** Below this many flops a convolution is not worth splitting (the copies cost more). */
export const MIN_PARALLEL_FLOPS = 5e7;
/** A worker that does not answer within this time is assumed dead. */
const JOB_TIMEOUT_MS = 120_000;
const KERNELS = ["Conv2D", "FusedConv2D"];

/** A started pool. */
export interface ConvPool {
  /** Threads convolutions run on (the main thread included). */
  threads: number;
  /** Calls that were split so far. */
  readonly jobs: number;
}

/**
 * Starts one convolution worker and wraps the wasm convolution kernels.
 * Rejects when the worker cannot start (the caller then stays on one thread).
 *
 * @example
 * ```ts
 * const pool = await startConvPool(tf);
 * console.log(pool.threads); // 2
 * ```
 */
export async function startConvPool(tf: typeof TfCore): Promise<ConvPool> {
  const buffers = createSharedBuffers();
  const worker = new Worker(new URL("./_conv_worker.ts", import.meta.url), { workerData: buffers });
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`The conv worker exited with code ${code}`)));
  });
  worker.removeAllListeners();
  worker.unref();
  const pool = { threads: 2, jobs: 0 };
  active = pool;
  for (const kernelName of KERNELS) {
    const original = tf.getKernel(kernelName, "wasm")!.kernelFunc as unknown as KernelFunc;
    tf.unregisterKernel(kernelName, "wasm");
    const kernelFunc = (args: KernelArgs) => {
      const split = worthSplitting(tf, args);
      if (!split) return original(args);
      pool.jobs++;
      return splitBatch(kernelName, original, args, buffers, split);
    };
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: kernelFunc as never });
  }
  return pool;
}

let active: ConvPool | undefined;

/**
 * The running pool, if any (for tests and diagnostics).
 *
 * @example
 * ```ts
 * const before = activeConvPool()?.jobs ?? 0;
 * ```
 */
export function activeConvPool(): ConvPool | undefined {
  return active;
}

/** The output shape when the call is large enough to split, else undefined. */
function worthSplitting(
  tf: typeof TfCore,
  { inputs, attrs = {} }: KernelArgs,
): number[] | undefined {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  if (x.shape[0]! < 2 || (attrs.dataFormat ?? "NHWC") !== "NHWC" || x.dtype !== "float32") return;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | undefined) ?? 1,
    attrs.pad as "same",
    attrs.dimRoundingMode as "floor" | undefined,
  );
  const flops = 2 * info.outShape.reduce((a, b) => a * b, 1) * filter.shape.slice(0, 3)
    .reduce((a, b) => a * b, 1);
  return flops >= MIN_PARALLEL_FLOPS ? info.outShape : undefined;
}

function splitBatch(
  kernel: string,
  original: KernelFunc,
  args: KernelArgs,
  buffers: SharedBuffers,
  outShape: number[],
): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = args.inputs.x!;
  const n = x.shape[0]!;
  const head = Math.floor(n / 2);
  const outRow = outShape.slice(1).reduce((a, b) => a * b, 1);
  postJob(kernel, args, buffers, head, outRow * (n - head));
  let mine: TensorInfo;
  let answer: Job;
  try {
    mine = original({
      ...args,
      inputs: { ...args.inputs, x: { ...x, shape: [head, ...x.shape.slice(1)] } },
    });
  } finally {
    // Even when our half failed, the worker must finish before the next job.
    answer = awaitJob(buffers);
  }
  const out = backend.makeOutput(outShape, "float32");
  const outView = backend.typedArrayFromHeap(out);
  outView.set(backend.typedArrayFromHeap(mine));
  const tail = new Float32Array(buffers.data, answer.outputOffset * 4, outRow * (n - head));
  outView.set(tail, head * outRow);
  backend.disposeData(mine.dataId);
  return out;
}

/** Copies the worker's inputs (x from row `head` on, everything else whole) and posts the job. */
function postJob(
  kernel: string,
  args: KernelArgs,
  buffers: SharedBuffers,
  head: number,
  outSize: number,
) {
  const backend = args.backend as WasmBackendLike;
  const present = Object.entries(args.inputs).filter(([, t]) => t != null);
  const views: [string, TensorInfo, Float32Array][] = present.map(([name, t]) => {
    const all = backend.typedArrayFromHeap(t);
    return [name, t, name === "x" ? all.subarray(all.length / t.shape[0]! * head) : all];
  });
  const inputFloats = views.reduce((sum, [, , v]) => sum + v.length, 0);
  ensureCapacity(buffers, inputFloats + outSize);
  const data = new Float32Array(buffers.data);
  const inputs: Record<string, SharedTensor> = {};
  let offset = 0;
  for (const [name, t, values] of views) {
    const shape = name === "x" ? [t.shape[0]! - head, ...t.shape.slice(1)] : t.shape;
    data.set(values, offset);
    inputs[name] = { shape, offset };
    offset += values.length;
  }
  writeJob(buffers, {
    kernel,
    attrs: (args.attrs ?? {}) as Record<string, unknown>,
    inputs,
    outputOffset: offset,
  });
  const control = new Int32Array(buffers.control);
  Atomics.store(control, STATE, POSTED);
  Atomics.notify(control, STATE);
}

function awaitJob(buffers: SharedBuffers): Job {
  const control = new Int32Array(buffers.control);
  const deadline = performance.now() + JOB_TIMEOUT_MS;
  while (Atomics.load(control, STATE) === POSTED) {
    if (performance.now() > deadline) {
      throw new Error("The conv worker did not answer within 120 s");
    }
    Atomics.wait(control, STATE, POSTED, 1000);
  }
  const state = Atomics.load(control, STATE);
  const job = readJob(buffers);
  Atomics.store(control, STATE, IDLE);
  if (state !== DONE) throw new Error(`The conv worker failed: ${job.error ?? "unknown error"}`);
  return job;
}
