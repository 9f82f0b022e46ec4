/**
 * Runs the wasm backend's convolutions on two cores. TF.js' wasm build calls
 * XNNPACK without a thread pool, so each convolution uses one core. Here the
 * convolution kernels, their gradients and group norm (see `_conv_split.ts`) are wrapped:
 * a large call gives half of its batch to a worker thread with its own wasm
 * backend (inputs and outputs cross through shared memory), computes the other
 * half itself, and joins the halves (concatenated, or summed for the filter
 * gradient).
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
  MAX_SHARED_BYTES,
  POSTED,
  readJob,
  type SharedBuffers,
  type SharedTensor,
  STATE,
  writeJob,
} from "./_shared_job.ts";
import type { WasmBackendLike } from "./_wasm_ops.ts";
import { SPLIT_RULES, type SplitRule } from "./_conv_split.ts";

type TensorInfo = TfCore.TensorInfo;
type KernelArgs = {
  inputs: Record<string, TensorInfo>;
  backend: unknown;
  attrs?: TfCore.NamedAttrMap;
};
type KernelFunc = (args: KernelArgs) => TensorInfo | TensorInfo[];

/** Below this many flops a convolution is not worth splitting (the copies cost more). */
export const MIN_PARALLEL_FLOPS = 5e7;
/**
 * The main thread's share of a split batch. The worker's half also pays for
 * copying its inputs and outputs through shared memory, so the main thread
 * takes a little more (measured: 0.55 finishes both halves together).
 */
const MAIN_SHARE = 0.55;
/** A worker that does not answer within this time is assumed dead. */
const JOB_TIMEOUT_MS = 120_000;

/** A started pool. */
export interface ConvPool {
  /** Threads convolutions run on (the main thread included). */
  threads: number;
  /** Calls that were split so far. */
  readonly jobs: number;
}

let active: (ConvPool & { jobs: number; busy: boolean }) | undefined;

/**
 * Starts one convolution worker and wraps the wasm convolution kernels (or only
 * `options.kernels` of those in `SPLIT_RULES`).
 * Rejects when the worker cannot start (the caller then stays on one thread).
 * Call once per process.
 *
 * @example
 * ```ts
 * const pool = await startConvPool(tf);
 * console.log(pool.threads); // 2
 * ```
 */
export async function startConvPool(
  tf: typeof TfCore,
  options: { kernels?: string[] } = {},
): Promise<ConvPool> {
  if (active) return active;
  const buffers = createSharedBuffers();
  const worker = new Worker(new URL("./_conv_worker.ts", import.meta.url), { workerData: buffers });
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`The conv worker exited with code ${code}`)));
  });
  worker.removeAllListeners();
  worker.unref();
  const pool = { threads: 2, jobs: 0, busy: false };
  for (const [kernelName, rule] of Object.entries(SPLIT_RULES)) {
    if (options.kernels && !options.kernels.includes(kernelName)) continue;
    const config = tf.getKernel(kernelName, "wasm");
    if (!config) continue;
    const original = config.kernelFunc as unknown as KernelFunc;
    tf.unregisterKernel(kernelName, "wasm");
    const kernelFunc = (args: KernelArgs) => {
      // A kernel that calls another (the gradients run Conv2D) must not post a second job.
      const plan = pool.busy ? undefined : worthSplitting(tf, rule, args);
      if (!plan) return original(args);
      pool.jobs++;
      pool.busy = true;
      try {
        return splitBatch(kernelName, rule, original, args, buffers, plan);
      } finally {
        pool.busy = false;
      }
    };
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: kernelFunc as never });
  }
  active = pool;
  return pool;
}

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

function worthSplitting(tf: typeof TfCore, rule: SplitRule, { inputs, attrs = {} }: KernelArgs) {
  const batch = inputs[rule.batched[0]!]?.shape[0] ?? 0;
  if (batch < 2) return;
  const plan = rule.plan(tf, inputs, attrs);
  if (!plan || plan.flops < MIN_PARALLEL_FLOPS) return;
  // The worker's inputs and outputs must fit the shared buffer.
  const floats = [
    ...Object.values(inputs).filter((t) => t != null).map((t) => t.shape),
    ...plan.outShapes,
  ]
    .reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
  return floats * 4 < MAX_SHARED_BYTES ? plan : undefined;
}

function splitBatch(
  kernel: string,
  rule: SplitRule,
  original: KernelFunc,
  args: KernelArgs,
  buffers: SharedBuffers,
  plan: { outShapes: number[][] },
): TensorInfo | TensorInfo[] {
  const backend = args.backend as WasmBackendLike;
  const attrs = args.attrs ?? {};
  const n = args.inputs[rule.batched[0]!]!.shape[0]!;
  const head = Math.min(n - 1, Math.max(1, Math.round(n * MAIN_SHARE)));
  const sizes = plan.outShapes.map((shape) => shape.reduce((a, b) => a * b, 1));
  const theirSizes = sizes.map((size, i) =>
    rule.combine[i] === "sum" ? size : size / n * (n - head)
  );
  postJob(kernel, rule, args, buffers, head, theirSizes.reduce((a, b) => a + b, 0));
  const mineInputs = { ...args.inputs };
  for (const name of rule.batched) {
    const t = args.inputs[name]!;
    // A shorter shape over the same data: the kernel reads only the first `head` examples.
    mineInputs[name] = { ...t, shape: [head, ...t.shape.slice(1)] };
  }
  let mine: TensorInfo | TensorInfo[];
  let answer: Job;
  try {
    mine = original({ ...args, inputs: mineInputs, attrs: rule.partAttrs(attrs, head) });
  } finally {
    // Even when our half failed, the worker must finish before the next job.
    answer = awaitJob(buffers);
  }
  const mineList = Array.isArray(mine) ? mine : [mine];
  const outs = plan.outShapes.map((shape) => backend.makeOutput(shape, "float32"));
  let offset = answer.outputOffset;
  outs.forEach((out, i) => {
    const outView = backend.typedArrayFromHeap(out);
    const mineView = backend.typedArrayFromHeap(mineList[i]!);
    const theirs = new Float32Array(buffers.data, offset * 4, theirSizes[i]!);
    offset += theirSizes[i]!;
    if (rule.combine[i] === "sum") {
      for (let j = 0; j < outView.length; j++) outView[j] = mineView[j]! + theirs[j]!;
    } else {
      outView.set(mineView);
      outView.set(theirs, mineView.length);
    }
  });
  for (const info of mineList) backend.disposeData(info.dataId);
  return Array.isArray(mine) ? outs : outs[0]!;
}

/** Copies the worker's inputs (batched ones from example `head` on) and posts the job. */
function postJob(
  kernel: string,
  rule: SplitRule,
  args: KernelArgs,
  buffers: SharedBuffers,
  head: number,
  outSize: number,
) {
  const backend = args.backend as WasmBackendLike;
  const present = Object.entries(args.inputs).filter(([, t]) => t != null);
  const views = present.map(([name, t]) => {
    const all = backend.typedArrayFromHeap(t);
    const batched = rule.batched.includes(name);
    const values = batched ? all.subarray(all.length / t.shape[0]! * head) : all;
    const shape = batched ? [t.shape[0]! - head, ...t.shape.slice(1)] : t.shape;
    return { name, values, shape };
  });
  ensureCapacity(buffers, views.reduce((sum, v) => sum + v.values.length, 0) + outSize);
  const data = new Float32Array(buffers.data);
  const inputs: Record<string, SharedTensor> = {};
  let offset = 0;
  for (const { name, values, shape } of views) {
    data.set(values, offset);
    inputs[name] = { shape, offset };
    offset += values.length;
  }
  const n = args.inputs[rule.batched[0]!]!.shape[0]!;
  const attrs = rule.partAttrs(args.attrs ?? {}, n - head) as Record<string, unknown>;
  writeJob(buffers, { kernel, attrs, inputs, outputOffset: offset });
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
