/**
 * A Layers backbone cut at its representation layer, with dropline's head on
 * top: `Dropout(p) -> Dense(classes, softmax)` named as in head models. The
 * training step computes logits from the representation itself (own dropout
 * masks), so the softmax and dropout layers only matter for saved models.
 */
import type * as TfLayers from "@tensorflow/tfjs-layers";
import { type BackboneInfo, readBackboneInfo } from "@dropline/ml";
import { loadLayersModelFromDir, registerGroupNorm, type TensorRuntime } from "@dropline/tensor";

export interface Network {
  info: BackboneInfo;
  /** Input to representation. */
  body: TfLayers.LayersModel;
  /** Input to class probabilities (body + head): what is saved. */
  full: TfLayers.LayersModel;
  /** The head's dense layer. */
  logits: TfLayers.layers.Layer;
  layer: string;
  dimension: number;
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
    throw new TypeError(`Backbone "${dir}" has no layer "${layer}"`);
  }
  if (output.shape.length !== 2) {
    throw new TypeError(
      `Layer "${layer}" outputs shape [${output.shape}], expected a vector per example`,
    );
  }
  // Fixed names keep saved topologies identical when several models are built in one process.
  const body = tf.model({ inputs: model.inputs, outputs: output, name: "body" });
  const dropout = tf.layers.dropout({ rate: options.dropout, name: "representation_dropout" });
  const logits = tf.layers.dense({ units: options.classes, activation: "softmax", name: "logits" });
  const head = logits.apply(dropout.apply(output)) as TfLayers.SymbolicTensor;
  const full = tf.model({ inputs: model.inputs, outputs: head, name: "network" });
  return { info, body, full, logits, layer, dimension: output.shape[1] as number };
}
