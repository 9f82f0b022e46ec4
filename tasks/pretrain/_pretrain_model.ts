/**
 * The backbones `pretrain` can train: DomainBed's MNIST CNN
 * (@dropline/tensor mnist_cnn.ts) or a dense ReLU network over the flattened image.
 * Both end in a layer named `features` (the representation) and a linear
 * `head` giving logits. Initial weights come from the stage's seed, not from
 * TF.js' unseeded initialisers, so a run is reproducible.
 */
import type * as TfLayers from "@tensorflow/tfjs-layers";
import { Prng, type Weights } from "@dropline/ml";
import { MNIST_CNN_FEATURES, mnistCnn, type Tf } from "@dropline/tensor";
import type { PretrainParams } from "./_pretrain_params.ts";

/** The representation layer of every pretrained backbone. */
export const FEATURE_LAYER = MNIST_CNN_FEATURES;

/** Architecture fields of the parameters (the rest does not shape the model). */
export type Architecture =
  | Pick<
    Extract<PretrainParams, { architecture: "mnist_cnn" }>,
    "architecture" | "filters" | "groups"
  >
  | Pick<
    Extract<PretrainParams, { architecture: "small_cnn" }>,
    "architecture" | "filters" | "width"
  >
  | Pick<Extract<PretrainParams, { architecture: "mlp" }>, "architecture" | "hidden">;

/**
 * The untrained model for images of `inputShape` and `classes` classes.
 *
 * @example
 * ```ts
 * const model = buildBackbone(tf, { architecture: "mlp", hidden: [64] }, [28, 28, 1], 10);
 * ```
 */
export function buildBackbone(
  tf: Tf,
  arch: Architecture,
  inputShape: [number, number, number],
  classes: number,
): TfLayers.Sequential {
  if (arch.architecture === "mnist_cnn") {
    return mnistCnn(tf, { inputShape, classes, filters: arch.filters, groups: arch.groups });
  }
  if (arch.architecture === "small_cnn") return smallCnn(tf, arch, inputShape, classes);
  const model = tf.sequential({ name: "mlp" });
  model.add(tf.layers.flatten({ name: "flatten", inputShape }));
  arch.hidden.forEach((units, i) => {
    const last = i === arch.hidden.length - 1;
    model.add(
      tf.layers.dense({ units, activation: "relu", name: last ? FEATURE_LAYER : `dense${i + 1}` }),
    );
  });
  model.add(tf.layers.dense({ units: classes, name: "head" }));
  return model;
}

/**
 * Strided 3x3 convolutions then one wide dense feature layer: a CNN whose
 * representation is as wide as a ResNet's penultimate layer (512-d) for a
 * fraction of DomainBed's MNIST CNN's cost (most of it is the dense layer).
 */
function smallCnn(
  tf: Tf,
  arch: Extract<Architecture, { architecture: "small_cnn" }>,
  inputShape: [number, number, number],
  classes: number,
): TfLayers.Sequential {
  const model = tf.sequential({ name: "small_cnn" });
  arch.filters.forEach((filters, i) => {
    model.add(tf.layers.conv2d({
      name: `conv${i + 1}`,
      filters,
      kernelSize: 3,
      strides: 2,
      padding: "same",
      activation: "relu",
      ...(i === 0 ? { inputShape } : {}),
    }));
  });
  model.add(tf.layers.flatten({ name: "flatten" }));
  model.add(tf.layers.dense({ units: arch.width, activation: "relu", name: FEATURE_LAYER }));
  model.add(tf.layers.dense({ units: classes, name: "head" }));
  return model;
}

/** Length of the feature vector of an architecture. */
export function featureDimension(arch: Architecture): number {
  if (arch.architecture === "mnist_cnn") return arch.filters[3];
  return arch.architecture === "small_cnn" ? arch.width : arch.hidden.at(-1)!;
}

/**
 * The model's trainable weights, with every kernel drawn Glorot-uniform from
 * `seed` and the other weights (biases, group-norm scales and shifts) at their
 * constant initial values.
 *
 * @example
 * ```ts
 * const initial = seededWeights(model, 0); // the same values for seed 0, every time
 * ```
 */
export function seededWeights(model: TfLayers.LayersModel, seed: number): Weights {
  const rng = Prng.fromSeed(seed);
  return model.trainableWeights.map((v) => {
    const shape = [...v.shape] as number[];
    const values = Float32Array.from(v.read().dataSync());
    if (v.originalName.endsWith("/kernel")) {
      const [fanIn, fanOut] = fans(shape);
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < values.length; i++) values[i] = (2 * rng.next() - 1) * limit;
    }
    return { name: v.originalName, shape, values };
  });
}

/** Fan-in and fan-out of a dense ([in, out]) or convolution ([..., in, out]) kernel. */
function fans(shape: number[]): [number, number] {
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape.at(-2)! * receptive, shape.at(-1)! * receptive];
}
