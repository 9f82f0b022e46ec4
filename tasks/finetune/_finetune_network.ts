/**
 * The backbone path of `finetune`: a Layers backbone cut at its
 * representation, dropline's head `dropout(p) -> dense` on top, the weights
 * `train` and `batchnorm` name trained with the head (see `_trained_set.ts`),
 * images read from disk a batch at a time and augmented as `augment` says.
 * Gradients come from TF.js; the optimiser, dropout masks, sampling and
 * checkpoints are the same plain-array code as the features path, so a
 * resumed run gives the same bits as an uninterrupted one.
 */
import { argmaxRows, initHead, Prng, type Weights, weightsDigest } from "@dropline/ml";
import { loadTensorRuntime, runtimeFacts, saveModelToDir, type Tf } from "@dropline/tensor";
import type { TaskContext } from "@dropline/task";
import type * as TfLayers from "@tensorflow/tfjs-layers";
import {
  type FinetuneParams,
  reportedParams,
  resolveDomains,
  trainConfigOf,
} from "../_shared/finetune_params.ts";
import { writeRunOutputs } from "./_finetune_outputs.ts";
import { type ImageSource, openImageSource } from "../_shared/image_source.ts";
import { inputPlan } from "../_shared/extract_input.ts";
import { againstWorkDir } from "../_shared/source_path.ts";
import { buildNetwork, type Network } from "./_network_model.ts";
import { networkTrainable, predictRows } from "./_network_trainable.ts";
import { resolveAugment } from "./_network_input.ts";
import { trainedSet } from "./_trained_set.ts";
import { trainResumably } from "../_shared/train_hooks.ts";
import { peakRssBytes } from "../_shared/peak_rss.ts";
import { scoredRows } from "../_shared/scored_rows.ts";
import { heapExhausted } from "./_heap_exhausted.ts";
import { requireHeldOut } from "./_held_out.ts";

export async function finetuneNetwork(ctx: TaskContext<FinetuneParams>): Promise<void> {
  const p = ctx.params;
  const rt = await loadTensorRuntime({
    ...(p.backend ? { backend: p.backend } : {}),
    log: (m) => ctx.log.info(m),
  });
  ctx.log.info(`Tensor backend "${rt.backend}" (TF.js ${rt.version})`);
  ctx.record?.(runtimeFacts(rt));
  const source = await openImageSource(againstWorkDir(p.dataset!, ctx.workDir));
  try {
    await train(
      ctx,
      rt.tf,
      source,
      await buildNetwork(rt, againstWorkDir(p.backbone!, ctx.workDir), {
        layer: p.layer,
        classes: source.classes.length,
        dropout: p.dropout,
      }),
    );
  } finally {
    source.close();
  }
  const peak = peakRssBytes();
  if (peak !== null) {
    ctx.log.info(`Peak resident memory ${(peak / 2 ** 20).toFixed(0)} MiB`);
    ctx.record?.({ peak_rss_bytes: peak });
  }
}

async function train(
  ctx: TaskContext<FinetuneParams>,
  tf: Tf,
  source: ImageSource,
  net: Network,
): Promise<void> {
  const p = ctx.params;
  const roles = resolveDomains(source.domains, p.test_domains);
  requireHeldOut(source.rows, roles.trainDomains, source.domains);
  const plan = inputPlan(source.shape, net.info);
  const augment = resolveAugment(p.augment, source.shape[2]);
  const head = initHead(
    { inputDim: net.dimension, hidden: [], classes: source.classes.length },
    Prng.fromSeed(p.init_seed),
  );
  net.logits.setWeights(head.map((t) => tf.tensor(t.values, t.shape)));
  const all = net.full.weights;
  const initial: Weights = await Promise.all(all.map(async (v) => ({
    name: v.originalName,
    shape: [...v.shape] as number[],
    values: Float32Array.from(await v.read().data() as Float32Array),
  })));
  const set = trainedSet(net, p.train, p.batchnorm);
  const trainedValues = set.params.reduce((n, q) => n + initial[q.index]!.values.length, 0);
  ctx.log.info(
    `Training ${set.params.length} of ${all.length} weight tensors (${trainedValues} values; ` +
      `${set.blockCount} blocks; batchnorm ${p.batchnorm}${
        set.stats.length ? `, ${set.stats.length} layers on batch statistics` : ""
      }) below a ${net.dimension}-d representation "${net.layer}"; augmentation ${
        augment ? JSON.stringify(augment) : "off"
      }; inputs ${plan.from.join("x")} -> ${plan.to.join("x")}`,
  );
  const trainable = networkTrainable(tf, net, source, roles, initial, set, {
    input: { plan, augment, seed: p.seed },
    microBatch: p.micro_batch,
    evalBatch: p.eval_batch,
  });
  const state = await trainResumably(ctx, trainable, trainConfigOf(p)).catch((error) => {
    throw heapExhausted(error, {
      backend: tf.getBackend(),
      microBatch: p.micro_batch,
      batchSize: p.batch_size,
      domains: roles.trainDomains.length,
    }) ?? error;
  });
  const trained = [
    ...set.params.map((q) => q.index),
    ...set.stats.flatMap((s) => [s.mean, s.variance]),
  ];
  const expand = (values: Float32Array[]) =>
    initial.map((t, i) => {
      const k = trained.indexOf(i);
      return { ...t, values: k < 0 ? t.values : values[k]! };
    });
  const headIds = new Set(net.logits.weights.map((v) => v.id));
  const domainsOf = (ids: number[]) => ids.map((d) => source.domains[d]!);
  const scored = scoredRows(source.rows, roles.trainDomains);
  await writeRunOutputs({
    outDir: ctx.outDir,
    params: p,
    writeModel: async (dir, weights, meta) => {
      setAll(tf, all, weights);
      net.full.setUserDefinedMetadata({ dropline: meta });
      await saveModelToDir(net.full, dir);
    },
    meta: {
      kind: "network",
      classes: source.classes,
      domains: source.domains,
      trainDomains: domainsOf(roles.trainDomains),
      testDomains: domainsOf(roles.testDomains),
      start: await weightsDigest(initial),
      method: "finetune",
      params: reportedParams(p),
      input: {
        inputSize: net.info.inputSize,
        channels: net.info.channels,
        preprocessing: net.info.preprocessing,
        layer: net.layer,
        source: net.info.source,
        backboneDigest: await weightsDigest(initial.filter((_, i) => !headIds.has(all[i]!.id))),
      },
    },
    extra: { augmentation: augment, trained: trainedNames(initial, trained) },
    initial,
    fullWeights: expand,
    state,
    rows: source.rows,
    scored,
    predict: async (weights) => {
      setAll(tf, all, weights);
      const probs = await predictRows(tf, net, source, plan, scored, p.eval_batch);
      return argmaxRows(probs, source.classes.length);
    },
    log: (message) => ctx.log.info(message),
  });
}

function trainedNames(initial: Weights, indices: number[]): string[] {
  return indices.map((i) => initial[i]!.name);
}

function setAll(tf: Tf, vars: TfLayers.LayerVariable[], weights: Weights): void {
  vars.forEach((v, i) => {
    // A copy: the cpu backend would otherwise keep our array as its storage.
    const t = tf.tensor(weights[i]!.values.slice(), weights[i]!.shape);
    v.write(t);
    t.dispose();
  });
}
