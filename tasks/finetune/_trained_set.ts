/**
 * Which weights of a network train, from `train` and `batchnorm`:
 *
 * - `train: all` trains every weighted layer of the backbone up to the
 *   representation; `head` trains only the new head; `{last_blocks: N}` the
 *   last N blocks. In a network with residual connections a block is what
 *   lies between two fork points (a layer whose output feeds two layers, like
 *   a residual block's input) or `Add` layers: each residual block, and the
 *   stem before the first. Otherwise a block is one convolution or dense
 *   layer with the normalisation layers that follow it.
 * - `batchnorm: frozen_stats` (the paper's recipe): running statistics stay
 *   as pre-trained, scale and shift train; `frozen`: nothing of BatchNorm
 *   trains; `train`: trained BatchNorm layers normalise with batch statistics
 *   and update their running statistics (kept as buffers: saved and
 *   restored, not optimised). BatchNorm layers outside the trained blocks
 *   always use their running statistics.
 *
 * The head always trains.
 */
import type * as TfLayers from "@tensorflow/tfjs-layers";
import type { Network } from "./_network_model.ts";

type Layer = TfLayers.layers.Layer;

export type TrainSpec = "all" | "head" | { last_blocks: number };
export type BatchNormMode = "frozen_stats" | "frozen" | "train";

/** A BatchNorm layer on batch statistics: its name and where its running statistics live. */
export interface StatsLayer {
  layer: string;
  /** Indices into `full.weights`. */
  mean: number;
  variance: number;
  /** Keras momentum: running = running * momentum + batch * (1 - momentum). */
  momentum: number;
}

export interface TrainedSet {
  /** Indices into `net.full.weights` of the optimised weights, with their optimiser role. */
  params: { index: number; role: "head" | "backbone" }[];
  stats: StatsLayer[];
  /** Index into `net.layers` of the first layer with a trained weight (layers before it are frozen). */
  firstTrained: number;
  /** Blocks of the backbone, for messages. */
  blockCount: number;
}

const BATCH_NORM = "BatchNormalization";

/** Weighted layers of the backbone grouped into blocks, input side first. */
export function blocksOf(net: Network): Layer[][] {
  const residual = net.layers.some((l) => l.getClassName() === "Add");
  const consumers = new Map<string, number>();
  for (const names of net.inputs.values()) {
    for (const n of names) consumers.set(n, (consumers.get(n) ?? 0) + 1);
  }
  const blocks: Layer[][] = [];
  let current: Layer[] = [];
  const close = () => {
    if (current.length) blocks.push(current);
    current = [];
  };
  for (const layer of net.layers) {
    const weighted = layer.weights.length > 0;
    const normalises = /Normalization$/.test(layer.getClassName());
    if (!residual && weighted && !normalises) close();
    if (weighted) current.push(layer);
    const fork = (consumers.get(layer.name) ?? 0) > 1;
    if (residual && (fork || layer.getClassName() === "Add")) close();
  }
  close();
  return blocks;
}

export function trainedSet(net: Network, train: TrainSpec, batchnorm: BatchNormMode): TrainedSet {
  const all = net.full.weights;
  const blocks = blocksOf(net);
  let chosen: Layer[];
  if (train === "all") chosen = blocks.flat();
  else if (train === "head") chosen = [];
  else {
    if (train.last_blocks > blocks.length) {
      throw new RangeError(
        `train: last_blocks ${train.last_blocks} asks for more blocks than the backbone has ` +
          `(${blocks.length} up to layer "${net.layer}")`,
      );
    }
    chosen = blocks.slice(-train.last_blocks).flat();
  }
  const params: TrainedSet["params"] = [];
  const stats: StatsLayer[] = [];
  for (const layer of chosen) {
    const isBn = layer.getClassName() === BATCH_NORM;
    if (isBn && batchnorm === "frozen") continue;
    for (const v of layer.trainableWeights) {
      params.push({ index: all.indexOf(v), role: "backbone" });
    }
    if (isBn && batchnorm === "train") stats.push(statsLayer(layer, all));
  }
  for (const v of net.logits.trainableWeights) params.push({ index: all.indexOf(v), role: "head" });
  const trainedLayers = new Set(chosen.filter((l) =>
    l.trainableWeights.length > 0 &&
    !(l.getClassName() === BATCH_NORM && batchnorm === "frozen")
  ));
  const first = net.layers.findIndex((l) => trainedLayers.has(l));
  return {
    params,
    stats,
    firstTrained: first < 0 ? net.layers.length : first,
    blockCount: blocks.length,
  };
}

function statsLayer(layer: Layer, all: TfLayers.LayerVariable[]): StatsLayer {
  const find = (suffix: string) => {
    const v = layer.nonTrainableWeights.find((w) => w.originalName.endsWith(`/${suffix}`));
    if (!v) throw new TypeError(`BatchNorm layer "${layer.name}" has no ${suffix}`);
    return all.indexOf(v);
  };
  const { momentum } = layer.getConfig() as { momentum?: number };
  return {
    layer: layer.name,
    mean: find("moving_mean"),
    variance: find("moving_variance"),
    momentum: momentum ?? 0.99,
  };
}
