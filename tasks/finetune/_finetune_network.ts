/**
 * The backbone path of `finetune`: a Layers backbone cut at its
 * representation, dropline's head on top, the top `trainable_layers` weighted
 * layers trained with the head. Gradients come from TF.js; the optimiser,
 * dropout masks, sampling and checkpoints are the same plain-array code as the
 * features path, so resuming gives the same bits. Normalisation statistics
 * stay frozen (the backbone runs in inference mode).
 */
import type * as TfLayers from "@tensorflow/tfjs-layers";
import { initHead, Prng, type Weights, weightsDigest } from "@dropline/ml";
import { loadTensorRuntime, saveModelToDir, type Tf } from "@dropline/tensor";
import { type TaskContext, TaskError } from "@dropline/task";
import {
  type FinetuneParams,
  reportedParams,
  resolveDomains,
  trainConfigOf,
} from "../_shared/finetune_params.ts";
import { writeRunOutputs } from "./_finetune_outputs.ts";
import { loadImageRows } from "../_shared/image_rows.ts";
import { buildNetwork, type Network } from "./_network_model.ts";
import { networkTrainable, predictRows } from "./_network_trainable.ts";
import { trainResumably } from "../_shared/train_hooks.ts";

export async function finetuneNetwork(ctx: TaskContext<FinetuneParams>): Promise<void> {
  const p = ctx.params;
  if (p.hidden.length) {
    throw new TaskError("A hidden head layer is only available on the features path");
  }
  const rt = await loadTensorRuntime({
    ...(p.backend ? { backend: p.backend } : {}),
    log: (m) => ctx.log.info(m),
  });
  ctx.log.info(`Tensor backend "${rt.backend}" (TF.js ${rt.version})`);
  ctx.record?.({ backend: rt.backend, tfjs: rt.version });
  const data = await loadImageRows(p.dataset!);
  const roles = resolveDomains(data.domains, p.test_domains);
  const net = await buildNetwork(rt, p.backbone!, {
    layer: p.layer,
    classes: data.classes.length,
    dropout: p.dropout,
  });
  const [h, w] = net.info.inputSize;
  if (data.shape.join() !== [h, w, net.info.channels].join()) {
    throw new TaskError(
      `Images are ${data.shape.join("x")}, the backbone expects ${h}x${w}x${net.info.channels}`,
    );
  }
  const head = initHead(
    { inputDim: net.dimension, hidden: [], classes: data.classes.length },
    Prng.fromSeed(p.init_seed),
  );
  net.logits.setWeights(head.map((t) => rt.tf.tensor(t.values, t.shape)));
  const all = net.full.weights;
  const initial: Weights = all.map((v) => ({
    name: v.originalName,
    shape: [...v.shape] as number[],
    values: Float32Array.from(v.read().dataSync()),
  }));
  const chosen = chosenVariables(net, p.trainable_layers);
  const trainIdx = chosen.map((v) => all.indexOf(v));
  ctx.log.info(
    `Training ${chosen.length} of ${all.length} weight tensors (representation "${net.layer}", ${net.dimension}-d)`,
  );
  const trainable = networkTrainable(rt.tf, net, data, roles, initial, trainIdx);
  const config = trainConfigOf(p);
  const state = await trainResumably(ctx, trainable, config);
  const expand = (values: Float32Array[]) =>
    initial.map((t, i) => ({
      ...t,
      values: trainIdx.includes(i) ? values[trainIdx.indexOf(i)]! : t.values,
    }));
  const domainsOf = (ids: number[]) => ids.map((d) => data.domains[d]!);
  await writeRunOutputs({
    outDir: ctx.outDir,
    params: p,
    writeModel: async (dir, weights, meta) => {
      setAll(rt.tf, all, weights);
      net.full.setUserDefinedMetadata({ dropline: meta });
      await saveModelToDir(net.full, dir);
    },
    meta: {
      kind: "network",
      classes: data.classes,
      domains: data.domains,
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
      },
    },
    initial,
    fullWeights: expand,
    state,
    rows: { labels: data.labels, domains: data.domainIds, split: data.split },
    predict: (weights) => {
      setAll(rt.tf, all, weights);
      return Promise.resolve(
        predictRows(rt.tf, net, data, Int32Array.from(data.labels.keys()), net.info.preprocessing),
      );
    },
  });
}

/** The head's weights and those of the top `count` weighted layers of the body. */
function chosenVariables(net: Network, count: number | "all"): TfLayers.LayerVariable[] {
  const weighted = net.body.layers.filter((l) => l.trainableWeights.length > 0);
  const top = count === "all" ? weighted : count === 0 ? [] : weighted.slice(-count);
  return [...top.flatMap((l) => l.trainableWeights), ...net.logits.trainableWeights];
}

function setAll(tf: Tf, vars: TfLayers.LayerVariable[], weights: Weights): void {
  vars.forEach((v, i) => {
    // A copy: the cpu backend would otherwise keep our array as its storage.
    const t = tf.tensor(weights[i]!.values.slice(), weights[i]!.shape);
    v.write(t);
    t.dispose();
  });
}
