/**
 * DomainBed's MNIST CNN: four 3x3 convolutions (64, 128, 128, 128 filters, the
 * second with stride 2), each followed by ReLU and group norm (8 groups), then
 * global average pooling (the 128-d features) and a dense head.
 *
 * Differences from the PyTorch original: TF.js "same" padding pads a stride-2
 * convolution on the bottom/right only (PyTorch pads 1 on every side); output
 * sizes are equal. Layer names are stable, so features can be cut at `features`.
 *
 * @module
 */
import type * as TfLayers from "@tensorflow/tfjs-layers";
import type { Tf } from "./tf.ts";
import { groupNorm } from "./group_norm.ts";

/** Options of {@linkcode mnistCnn}. */
export interface MnistCnnOptions {
  /** Input shape `[height, width, channels]`, e.g. `[28, 28, 1]` (RotatedMNIST) or `[28, 28, 2]` (ColoredMNIST). */
  inputShape: [number, number, number];
  /** Number of classes of the dense head. */
  classes: number;
  /** Dropout rate on the pooled features before the head; default 0 (no dropout layer). */
  dropout?: number;
  /** Filters of the four convolutions; default DomainBed's `[64, 128, 128, 128]`. */
  filters?: [number, number, number, number];
  /** Group norm groups; default 8. */
  groups?: number;
}

/** Name of the global-average-pooling layer whose output is the feature vector. */
export const MNIST_CNN_FEATURES = "features";

/**
 * Builds the (uncompiled) model; the head outputs logits.
 *
 * @example
 * ```ts
 * const rt = await loadTensorRuntime();
 * const model = mnistCnn(rt.tf, { inputShape: [28, 28, 1], classes: 10 });
 * model.compile({ optimizer: rt.tf.train.adam(1e-3), loss: "sparseCategoricalCrossentropy" });
 * ```
 */
export function mnistCnn(tf: Tf, options: MnistCnnOptions): TfLayers.Sequential {
  const filters = options.filters ?? [64, 128, 128, 128];
  const groups = options.groups ?? 8;
  const model = tf.sequential({ name: "mnist_cnn" });
  filters.forEach((count, i) => {
    model.add(tf.layers.conv2d({
      name: `conv${i + 1}`,
      filters: count,
      kernelSize: 3,
      strides: i === 1 ? 2 : 1,
      padding: "same",
      activation: "relu",
      ...(i === 0 ? { inputShape: options.inputShape } : {}),
    }));
    model.add(groupNorm(tf, { groups, name: `gn${i + 1}` }));
  });
  model.add(tf.layers.globalAveragePooling2d({ name: MNIST_CNN_FEATURES }));
  if (options.dropout) model.add(tf.layers.dropout({ rate: options.dropout, name: "dropout" }));
  model.add(tf.layers.dense({ units: options.classes, name: "head" }));
  return model;
}
