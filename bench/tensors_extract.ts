/**
 * The `extract_features` figure of `deno task bench tensors`: images per second
 * of the whole stage (images read from `images.npy`, pre-processed, run
 * through the backbone cut at its feature layer, features written to
 * `features.npy`) for DomainBed's MNIST CNN on 28 x 28 x 1 images, batch 128.
 * `ctx.batches` batches are timed after a warm-up run. The wasm backend's
 * forward convolution takes almost all of the time (see `mnist_cnn_infer`).
 *
 * @example
 * ```ts
 * import extract from "./tensors_extract.ts";
 * console.log(await extract({ rt, batches: 8, profile: false }));
 * ```
 * @module
 */
import process from "node:process";
import { type BackboneInfo, createDatasetWriter, Prng } from "@dropline/ml";
import { MNIST_CNN_FEATURES, mnistCnn, saveModelToDir, WEIGHTS_BIN } from "@dropline/tensor";
import type { Progress, TaskContext } from "@dropline/task";
import { type ExtractParams, TASKS } from "@dropline/tasks";
import type { BenchContext } from "./tensors.ts";

const SHAPE: [number, number, number] = [28, 28, 1];
const BATCH = 128;

/** Measures the stage; returns images/s and how the time splits. */
export default async function measure(ctx: BenchContext): Promise<Record<string, unknown>> {
  const root = await Deno.makeTempDir({ prefix: "dropline-bench-extract-" });
  try {
    const backbone = await saveBackbone(ctx, `${root}/backbone`);
    const images = ctx.batches * BATCH;
    await writeDataset(`${root}/warmup`, BATCH);
    await writeDataset(`${root}/data`, images);
    await runStage(backbone, `${root}/warmup`, `${root}/out-warmup`);
    const before = ctx.rt.tf.memory().numTensors;
    const run = await runStage(backbone, `${root}/data`, `${root}/out`);
    return {
      images_per_s: Math.round(images / run.seconds),
      // On a shared machine wall time includes waiting for a core; CPU time does not.
      images_per_cpu_s: Math.round(images / run.cpuSeconds),
      // From the first batch's features to the last's: the steady rate, without model loading.
      steady_images_per_s: Math.round((images - BATCH) / run.steadySeconds),
      stage_seconds: Number(run.seconds.toFixed(2)),
      images,
      batch: BATCH,
      model: "mnist_cnn",
      input: SHAPE.join("x"),
      tensor_growth: ctx.rt.tf.memory().numTensors - before,
    };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function saveBackbone(ctx: BenchContext, dir: string): Promise<string> {
  const model = mnistCnn(ctx.rt.tf, { inputShape: SHAPE, classes: 10 });
  await saveModelToDir(model, dir);
  model.dispose();
  const info: BackboneInfo = {
    format: "dropline-backbone",
    version: 1,
    modelFormat: "layers",
    source: "bench:mnist_cnn",
    inputSize: [SHAPE[0], SHAPE[1]],
    channels: SHAPE[2],
    preprocessing: { scale: 1 / 255, offset: 0, mean: [0], std: [1] },
    featureLayer: MNIST_CNN_FEATURES,
    featureDimension: 128,
    weightFiles: [WEIGHTS_BIN],
  };
  await Deno.writeTextFile(`${dir}/backbone.json`, JSON.stringify(info));
  return dir;
}

async function writeDataset(dir: string, count: number): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const writer = await createDatasetWriter(dir, {
    classes: Array.from({ length: 10 }, (_, k) => String(k)),
    domains: ["bench"],
    imageShape: SHAPE,
  });
  const rng = Prng.fromSeed(0);
  const image = new Uint8Array(SHAPE[0] * SHAPE[1] * SHAPE[2]);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < image.length; j++) image[j] = rng.int(256);
    await writer.add(image, i % 10, 0);
  }
  await writer.finish();
}

/** Runs the task with a bare context; times the whole run and the batches after the first. */
async function runStage(backbone: string, dataset: string, outDir: string) {
  await Deno.mkdir(outDir, { recursive: true });
  const extractFeatures = TASKS.get("extract_features")!;
  const params: ExtractParams = extractFeatures.schema.parse({
    backbone,
    dataset,
    batch_size: BATCH,
  }) as ExtractParams;
  let firstBatch = 0;
  const ctx: TaskContext<ExtractParams> = {
    stageId: "bench",
    key: "bench",
    params,
    upstream: {},
    outDir,
    checkpointDir: outDir,
    log: { info: () => {}, warn: () => {} },
    logPath: "/dev/null",
    progress: (p: Progress) => {
      if (p.done === BATCH) firstBatch = performance.now();
    },
    metrics: () => {},
    signal: new AbortController().signal,
  };
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await extractFeatures.run(ctx as TaskContext<unknown>);
  const end = performance.now();
  const cpu = process.cpuUsage(cpuStart);
  return {
    seconds: (end - start) / 1000,
    steadySeconds: (end - firstBatch) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}
