/**
 * A convolution worker: its own TF.js wasm backend, running the jobs the main
 * thread posts through shared memory (see `_shared_job.ts`). It blocks in
 * `Atomics.wait` between jobs; the main thread `unref`s it so it never keeps
 * the process alive.
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import {
  DONE,
  FAILED,
  type Job,
  POSTED,
  readJob,
  type SharedBuffers,
  STATE,
  writeJob,
} from "./_shared_job.ts";

const buffers = workerData as SharedBuffers;
const control = new Int32Array(buffers.control);

const tf = await import("@tensorflow/tfjs-core");
await import("@tensorflow/tfjs-backend-wasm");
tf.enableProdMode();
if (!(await tf.setBackend("wasm"))) {
  throw new Error("The conv worker could not start the wasm backend");
}
// The gradient kernels run here too (unsplit: the worker has no pool of its own).
const { registerWasmGradientKernels } = await import("./wasm_kernels.ts");
registerWasmGradientKernels(tf);
const { registerGroupNormKernels } = await import("./group_norm_kernels.ts");
registerGroupNormKernels(tf);
parentPort!.postMessage("ready");

for (;;) {
  const state = Atomics.load(control, STATE);
  if (state !== POSTED) {
    Atomics.wait(control, STATE, state);
    continue;
  }
  const job = readJob(buffers);
  try {
    job.outputShapes = run(job);
    writeJob(buffers, job);
    Atomics.store(control, STATE, DONE);
  } catch (error) {
    writeJob(buffers, { ...job, error: error instanceof Error ? error.message : String(error) });
    Atomics.store(control, STATE, FAILED);
  }
  Atomics.notify(control, STATE);
}

function run(job: Job): number[][] {
  return tf.tidy(() => {
    const data = new Float32Array(buffers.data);
    const inputs = Object.fromEntries(
      Object.entries(job.inputs).map(([name, t]) => {
        const size = t.shape.reduce((a, b) => a * b, 1);
        return [name, tf.tensor(data.subarray(t.offset, t.offset + size), t.shape)];
      }),
    );
    const result = tf.engine().runKernel(job.kernel, inputs, job.attrs as never);
    const outs = (Array.isArray(result) ? result : [result]) as ReturnType<typeof tf.tensor>[];
    let offset = job.outputOffset;
    // Read the outputs straight from the wasm heap: dataSync would copy them once more.
    const backend = tf.backend() as unknown as { typedArrayFromHeap(t: unknown): Float32Array };
    for (const out of outs) {
      const values = backend.typedArrayFromHeap(out);
      new Float32Array(buffers.data).set(values, offset);
      offset += values.length;
    }
    return outs.map((out) => out.shape);
  });
}
