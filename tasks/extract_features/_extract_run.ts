/**
 * The work of `extract_features`: stream the data set's images in batches
 * through the cut backbone and the features into the output directory. One
 * batch of images and one of features are in memory at a time, and every
 * tensor a batch makes is disposed before the next. Finished batches are
 * checkpointed: an interrupted stage resumes at the next batch.
 */
import { type Dataset, type NpyReader, readBackboneInfo, readDataset } from "@dropline/ml";
import { loadTensorRuntime, runtimeFacts, type TensorRuntime } from "@dropline/tensor";
import type { TaskContext } from "@dropline/task";
import { inputBatch, type InputPlan, inputPlan } from "../_shared/extract_input.ts";
import { type FeatureModel, loadFeatureModel } from "./_extract_model.ts";
import { createFeaturesSink, type FeaturesSink } from "./_extract_outputs.ts";
import { openExtractCheckpoint } from "./_extract_checkpoint.ts";
import { againstWorkDir } from "../_shared/source_path.ts";
import type { ExtractParams } from "./params.ts";

/** Runs the stage; see the module doc. */
export async function extractFeatures(ctx: TaskContext<ExtractParams>): Promise<void> {
  const p = ctx.params;
  const backboneDir = againstWorkDir(p.backbone, ctx.workDir);
  const [info, data] = await Promise.all([
    readBackboneInfo(backboneDir),
    readDataset(againstWorkDir(p.dataset, ctx.workDir)),
  ]);
  if (data.info.count === 0) throw new RangeError(`Data set "${p.dataset}" has no images`);
  const plan = inputPlan(data.info.imageShape, info, p.resize);
  const rt = await loadTensorRuntime({
    ...(p.backend ? { backend: p.backend } : {}),
    log: (m) => ctx.log.info(m),
  });
  ctx.log.info(`Tensor backend "${rt.backend}" (TF.js ${rt.version})`);
  ctx.record?.(runtimeFacts(rt));
  const model = await loadFeatureModel(rt, backboneDir, info, { layer: p.layer, pool: p.pool });
  let sink: FeaturesSink;
  try {
    sink = await streamFeatures(ctx, rt, data, plan, model);
  } finally {
    model.dispose();
  }
  const written = await sink.finish({
    backbone: info.source,
    layer: model.layer,
    preprocessing: info.preprocessing,
    extraction: {
      modelFormat: info.modelFormat,
      imageShape: plan.from,
      inputShape: plan.to,
      channels: plan.channels,
      resize: plan.resize,
      pool: p.pool,
      backend: rt.backend,
      tfjs: rt.version,
    },
  });
  ctx.log.info(`Features: ${written.count} x ${written.dimension} from layer "${model.layer}"`);
}

async function streamFeatures(
  ctx: TaskContext<ExtractParams>,
  rt: TensorRuntime,
  data: Dataset,
  plan: InputPlan,
  model: FeatureModel,
): Promise<FeaturesSink> {
  const images = await data.openImages();
  const checkpoint = await openExtractCheckpoint(ctx.checkpointDir);
  const total = images.rows;
  const batch = ctx.params.batch_size;
  const first = Math.min(checkpoint.rows, total);
  const started = performance.now();
  let sink: FeaturesSink | undefined;
  if (first > 0) {
    sink = await createFeaturesSink(ctx.outDir, data, checkpoint.dimension!);
    await sink.append(checkpoint.done!.subarray(0, first * checkpoint.dimension!));
    ctx.log.info(`Resuming after ${first} of ${total} images (rows kept in the checkpoint)`);
  }
  // The next batch is read from disk while the current one runs (one read at a time).
  let next = readBatch(images, first, batch);
  try {
    for (let start = first; start < total; start += batch) {
      ctx.signal.throwIfAborted();
      const pixels = await next;
      if (start + batch < total) next = readBatch(images, start + batch, batch);
      const n = pixels.length / (plan.from[0] * plan.from[1] * plan.from[2]);
      const features = await featuresOf(rt, plan, model, pixels, n);
      sink ??= await createFeaturesSink(ctx.outDir, data, features.length / n);
      await sink.append(features);
      await checkpoint.append(features, features.length / n);
      const rate = (start + n - first) / ((performance.now() - started) / 1000);
      ctx.progress({
        done: start + n,
        total,
        unit: "images",
        note: `${rate.toFixed(rate < 10 ? 1 : 0)} images/s`,
      });
    }
  } finally {
    // A read still in flight must end before its file closes.
    await next.catch(() => {});
    images.close();
    checkpoint.close();
  }
  const seconds = (performance.now() - started) / 1000;
  ctx.log.info(`Extracted ${total - first} images in ${seconds.toFixed(1)} s`);
  return sink!;
}

async function readBatch(images: NpyReader, start: number, count: number): Promise<Uint8Array> {
  return (await images.readRows(start, count)).data as Uint8Array;
}

/** One batch through the model; no tensor outlives the call. */
async function featuresOf(
  rt: TensorRuntime,
  plan: InputPlan,
  model: FeatureModel,
  pixels: Uint8Array,
  n: number,
): Promise<Float32Array> {
  const x = rt.tf.tidy(() => inputBatch(rt.tf, plan, pixels, n));
  try {
    const out = await model.apply(x);
    try {
      return await out.data() as Float32Array;
    } finally {
      out.dispose();
    }
  } finally {
    x.dispose();
  }
}
