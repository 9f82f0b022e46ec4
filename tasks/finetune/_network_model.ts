/**
 * A Layers backbone cut at its representation layer, with dropline's head on
 * top: `Dropout(p) -> Dense(classes, softmax)` named as in head models.
 *
 * Training does not call the model as a whole: {@link runLayers} walks the
 * backbone's layers itself, so each BatchNorm layer can run on running or on
 * batch statistics as the recipe says, and the frozen layers in front of the
 * first trained one run outside the gradient tape (no activations kept for
 * them). The head's logits are computed from the representation with the
 * run's own dropout masks; the `Dropout` and softmax layers only matter for
 * saved models.
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import type * as TfLayers from "@tensorflow/tfjs-layers";
import { type BackboneInfo, readBackboneInfo } from "@dropline/ml";
import { loadLayersModelFromDir, registerGroupNorm, type TensorRuntime } from "@dropline/tensor";

type Layer = TfLayers.layers.Layer;
type Tensor = TfCore.Tensor;

export interface Network {
  info: BackboneInfo;
  /** The backbone's layers from its input to the representation, in topological order. */
  layers: Layer[];
  /** For each layer of `layers`, the names of the layers it reads. */
  inputs: Map<string, string[]>;
  /** Input to class probabilities (backbone + head): what is saved and scored. */
  full: TfLayers.LayersModel;
  /** The head's dense layer. */
  logits: Layer;
  layer: string;
  dimension: number;
}

/** Batch mean and variance of a BatchNorm layer that ran on batch statistics. */
export interface BatchStats {
  mean: Tensor;
  variance: Tensor;
  /** Values per channel the statistics were computed over (N x H x W). */
  count: number;
}

/** The name of the layer feeding the last dense layer: the usual pooled representation. */
function defaultLayer(model: TfLayers.LayersModel): string {
  const dense = model.layers.filter((l) => l.getClassName() === "Dense").at(-1);
  const inbound = dense?.inboundNodes[0]?.inboundLayers[0];
  if (!inbound) throw new TypeError("Cannot tell the representation layer: name it with `layer`");
  return inbound.name;
}

export async function buildNetwork(
  rt: TensorRuntime,
  dir: string,
  options: { layer?: string | undefined; classes: number; dropout: number },
): Promise<Network> {
  const { tf } = rt;
  registerGroupNorm(tf);
  const info = await readBackboneInfo(dir);
  if (info.modelFormat !== "layers") {
    throw new TypeError(
      `Backbone "${dir}" is a frozen graph model: extract features and fine-tune a head on them`,
    );
  }
  const model = await loadLayersModelFromDir(rt, dir);
  const layer = options.layer ?? info.featureLayer ?? defaultLayer(model);
  let output;
  try {
    output = model.getLayer(layer).output as TfLayers.SymbolicTensor;
  } catch {
    const layers = model.layers.map((l) => l.name).join(", ");
    model.dispose();
    throw new TypeError(`Backbone "${dir}" has no layer "${layer}"; its layers are: ${layers}`);
  }
  if (output.shape.length !== 2) {
    throw new TypeError(
      `Layer "${layer}" outputs shape [${output.shape}], expected a vector per example`,
    );
  }
  // A functional view from the input to the representation: its layers start with the input layer,
  // also for a Sequential backbone (whose `layers` leave it out).
  const body = tf.model({ inputs: model.inputs, outputs: output, name: "body" });
  const { layers, inputs } = layersUpTo(body, layer);
  // Fixed names keep saved topologies identical when several models are built in one process.
  const dropout = tf.layers.dropout({ rate: options.dropout, name: "representation_dropout" });
  const logits = tf.layers.dense({ units: options.classes, activation: "softmax", name: "logits" });
  const head = logits.apply(dropout.apply(output)) as TfLayers.SymbolicTensor;
  const full = tf.model({ inputs: model.inputs, outputs: head, name: "network" });
  return { info, layers, inputs, full, logits, layer, dimension: output.shape[1] as number };
}

/** The layers the representation depends on, in the model's (topological) order. */
function layersUpTo(model: TfLayers.LayersModel, name: string) {
  const inputs = new Map<string, string[]>();
  for (const l of model.layers) {
    if (l.inboundNodes.length > 1) {
      throw new TypeError(
        `Layer "${l.name}" is used more than once: shared layers are not supported`,
      );
    }
    inputs.set(l.name, l.inboundNodes[0]?.inboundLayers.map((i) => i.name) ?? []);
  }
  const needed = new Set<string>();
  const visit = (n: string) => {
    if (needed.has(n)) return;
    needed.add(n);
    for (const i of inputs.get(n) ?? []) visit(i);
  };
  visit(name);
  const layers = model.layers.filter((l) => needed.has(l.name));
  return { layers, inputs: new Map([...inputs].filter(([n]) => needed.has(n))) };
}

/** Options of {@link runLayers}. */
export interface RunOptions {
  /** Names of BatchNorm layers that normalise with batch statistics (the others use running ones). */
  batchStats?: ReadonlySet<string>;
  /** Receives each such layer's batch statistics (kept: the caller disposes them). */
  onBatchStats?: (layer: string, stats: BatchStats) => void;
  /** Stop before this index of `net.layers` (default: run to the representation). */
  to?: number;
}

/**
 * Runs `net.layers[from..to)` on concrete tensors, given the outputs already
 * computed for earlier layers in `known` (at least the input layer's when
 * `from` is 0 or 1), and returns every output by layer name. Creates tensors:
 * call it inside `tf.tidy` or a gradient function.
 */
export function runLayers(
  tf: typeof TfCore,
  net: Network,
  known: Map<string, Tensor>,
  from: number,
  options: RunOptions = {},
): Map<string, Tensor> {
  const outputs = new Map(known);
  for (const layer of net.layers.slice(from, options.to)) {
    if (outputs.has(layer.name)) continue;
    const args = net.inputs.get(layer.name)!.map((n) => outputs.get(n)!);
    if (args.length === 0) throw new TypeError(`No input given for layer "${layer.name}"`);
    const out = options.batchStats?.has(layer.name)
      ? batchNormTraining(tf, layer, args[0]!, options.onBatchStats)
      : layer.apply(args.length === 1 ? args[0]! : args, { training: false }) as Tensor;
    outputs.set(layer.name, out);
  }
  return outputs;
}

/**
 * BatchNorm on the batch's own mean and (biased) variance, as in training
 * mode; the statistics are handed to `report` to update running ones.
 */
function batchNormTraining(
  tf: typeof TfCore,
  layer: Layer,
  x: Tensor,
  report: RunOptions["onBatchStats"],
): Tensor {
  const config = layer.getConfig() as { axis?: number; epsilon?: number };
  const axis = config.axis ?? -1;
  if (axis !== -1 && axis !== x.rank - 1) {
    throw new TypeError(`BatchNorm layer "${layer.name}" normalises axis ${axis}, not channels`);
  }
  const reduce = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, reduce);
  const weight = (suffix: string) =>
    layer.trainableWeights.find((w) => w.originalName.endsWith(`/${suffix}`))?.read();
  const y = tf.batchNorm(
    x,
    mean,
    variance,
    weight("beta"),
    weight("gamma"),
    config.epsilon ?? 1e-3,
  );
  report?.(layer.name, {
    mean: tf.keep(mean),
    variance: tf.keep(variance),
    count: x.size / x.shape[x.rank - 1]!,
  });
  return y;
}
