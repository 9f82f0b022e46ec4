/**
 * The Layers topology of a dense head: `Dropout(p)` on the representation,
 * then `Dense` layers (ReLU between them, softmax last). TF.js loads it with
 * `tf.loadLayersModel`; dropline's own head maths reads only the weights.
 *
 * @example
 * ```ts
 * const json = headModelJson({ inputDim: 1280, hidden: [], classes: 7 }, 0.9);
 * await writeModelDir(dir, json, weights);
 * ```
 */
import { headLayerNames, type HeadSpec } from "../training/dense_head.ts";
import type { ModelJson } from "./model_dir.ts";

export function headModelJson(spec: HeadSpec, dropout: number): ModelJson {
  const names = headLayerNames(spec);
  const units = [...spec.hidden, spec.classes];
  const dense = names.map((name, i) => ({
    class_name: "Dense",
    config: {
      units: units[i],
      activation: i === names.length - 1 ? "softmax" : "relu",
      use_bias: true,
      kernel_initializer: {
        class_name: "VarianceScaling",
        config: { scale: 1, mode: "fan_avg", distribution: "uniform", seed: null },
      },
      bias_initializer: { class_name: "Zeros", config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name,
      trainable: true,
    },
  }));
  const input = {
    class_name: "Dropout",
    config: {
      rate: dropout,
      noise_shape: null,
      seed: null,
      name: "representation_dropout",
      trainable: true,
      batch_input_shape: [null, spec.inputDim],
      dtype: "float32",
    },
  };
  return {
    format: "layers-model",
    generatedBy: "dropline",
    convertedBy: null,
    modelTopology: {
      class_name: "Sequential",
      config: { name: "head", layers: [input, ...dense] },
      keras_version: "tfjs-layers 4.22.0",
      backend: "tensor_flow.js",
    },
  };
}
