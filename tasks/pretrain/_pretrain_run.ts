/**
 * The work of `pretrain`: load the training domains' images, build the
 * backbone from seeded weights, run the shared training loop with resumable
 * checkpoints, and publish the model with `backbone.json` (so it is used
 * exactly like a fetched backbone) and a `pretrain.json` summary.
 */
import {
  BackboneInfo,
  type Preprocessing,
  readDatasetInfo,
  type Trainable,
  type TrainState,
} from "@dropline/ml";
import {
  loadTensorRuntime,
  runtimeFacts,
  saveModelToDir,
  type TensorRuntime,
  WEIGHTS_BIN,
} from "@dropline/tensor";
import type { TaskContext } from "@dropline/task";
import { inputPlan } from "../_shared/extract_input.ts";
import { loadDomainImages } from "./_pretrain_data.ts";
import {
  buildBackbone,
  FEATURE_LAYER,
  featureDimension,
  seededWeights,
} from "./_pretrain_model.ts";
import { pretrainConfig, type PretrainParams, resolveTrainDomains } from "./_pretrain_params.ts";
import { backboneTrainable } from "./_pretrain_trainable.ts";
import { pretrainHeapExhausted } from "./_pretrain_heap.ts";
import { againstWorkDir } from "../_shared/source_path.ts";
import { trainResumably } from "../_shared/train_hooks.ts";

/** Runs the stage; see the module doc. */
export async function pretrain(ctx: TaskContext<PretrainParams>): Promise<void> {
  const p = ctx.params;
  const datasetDir = againstWorkDir(p.dataset, ctx.workDir);
  const info = await readDatasetInfo(datasetDir);
  const trainDomains = resolveTrainDomains(info.domains, p.domains, p.test_domains);
  const rt = await loadTensorRuntime({
    ...(p.backend ? { backend: p.backend } : {}),
    log: (m) => ctx.log.info(m),
  });
  ctx.log.info(`Tensor backend "${rt.backend}" (TF.js ${rt.version})`);
  ctx.record?.(runtimeFacts(rt));
  const data = await loadDomainImages(datasetDir, trainDomains);
  const [h, w, c] = data.shape;
  const pixels = unitPixels(c);
  const plan = inputPlan(data.shape, { inputSize: [h, w], channels: c, preprocessing: pixels });
  const model = buildBackbone(rt.tf, p, data.shape, data.classes.length);
  try {
    const trainable = backboneTrainable(
      rt.tf,
      model,
      data,
      plan,
      trainDomains,
      seededWeights(model, p.seed),
    );
    trainable.pools.forEach((pool, k) => {
      if (pool.length === 0) {
        throw new RangeError(`Domain "${info.domains[trainDomains[k]!]}" has no in-split images`);
      }
    });
    const state = await train(ctx, trainable, {
      backend: rt.backend,
      domains: trainDomains.length,
    });
    trainable.sync();
    await saveModelToDir(model, ctx.outDir);
    const names = trainDomains.map((d) => info.domains[d]!);
    await writeDescriptions(ctx, rt, { shape: data.shape, pixels, names, state });
  } finally {
    model.dispose();
  }
}

async function train(
  ctx: TaskContext<PretrainParams>,
  trainable: Trainable,
  run: { backend: string; domains: number },
): Promise<TrainState> {
  const config = pretrainConfig(ctx.params);
  return await trainResumably(ctx, trainable, config).catch((error) => {
    throw pretrainHeapExhausted(error, { ...run, batchSize: ctx.params.batch_size }) ?? error;
  });
}

/** Pixels scaled to [0, 1], as DomainBed feeds MNIST (the mean/std step is the identity). */
function unitPixels(channels: number): Preprocessing {
  return {
    scale: 1 / 255,
    offset: 0,
    mean: Array(channels).fill(0),
    std: Array(channels).fill(1),
  };
}

interface Description {
  shape: [number, number, number];
  pixels: Preprocessing;
  names: string[];
  state: TrainState;
}

async function writeDescriptions(
  ctx: TaskContext<PretrainParams>,
  rt: TensorRuntime,
  d: Description,
): Promise<void> {
  const p = ctx.params;
  const backbone = BackboneInfo.parse({
    format: "dropline-backbone",
    version: 1,
    modelFormat: "layers",
    source: `pretrain:${p.architecture}`,
    inputSize: [d.shape[0], d.shape[1]],
    channels: d.shape[2],
    preprocessing: d.pixels,
    featureLayer: FEATURE_LAYER,
    featureDimension: featureDimension(p),
    weightFiles: [WEIGHTS_BIN],
  });
  await writeJson(`${ctx.outDir}/backbone.json`, backbone);
  const { dataset: _d, backend: _b, ...params } = p;
  await writeJson(`${ctx.outDir}/pretrain.json`, {
    params,
    trainDomains: d.names,
    steps: d.state.step,
    last: d.state.records.at(-1) ?? null,
    best: d.state.best ? { step: d.state.best.step, val_acc: d.state.best.val } : null,
    backend: rt.backend,
    tfjs: rt.version,
  });
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
}
