/**
 * Scoring network models (Layers format with a dropline description) on a
 * data set with TF.js. Images are read from disk a batch at a time and
 * resized to the model's input as `extract_features` and training's
 * evaluation do (no augmentation).
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import { type ModelJson, modelMetaOf, type Preprocessing, type Weights } from "@dropline/ml";
import { type BackendChoice, loadTensorRuntime, registerGroupNorm } from "@dropline/tensor";
import type { EvalData } from "./eval_data_type.ts";
import { inputBatch, inputPlan } from "./extract_input.ts";
import { openImageSource } from "./image_source.ts";

/** Images per forward pass. */
const BATCH = 64;

export async function openNetworkEvalData(
  dataset: string,
  backend?: BackendChoice,
): Promise<EvalData> {
  const { tf } = await loadTensorRuntime({ ...(backend ? { backend } : {}), log: () => {} });
  registerGroupNorm(tf);
  const source = await openImageSource(dataset);
  const all = Int32Array.from(source.rows.labels.keys());
  return {
    kind: "network",
    classes: source.classes,
    domains: source.domains,
    rows: source.rows,
    async probabilities(model: { json: ModelJson; weights: Weights }, subset?: Int32Array) {
      const input = modelMetaOf(model.json).input as ModelInput | undefined;
      if (!input?.preprocessing || !input.inputSize) {
        throw new TypeError("Network model has no recorded input size and pre-processing");
      }
      const plan = inputPlan(source.shape, {
        inputSize: input.inputSize,
        channels: input.channels ?? source.shape[2],
        preprocessing: input.preprocessing,
      });
      const loaded = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: model.json.modelTopology as object,
        weightSpecs: model.weights.map((w) => ({
          name: w.name,
          shape: w.shape,
          dtype: "float32" as const,
        })),
        weightData: concatWeights(model.weights),
      }));
      const rows = subset ?? all;
      const out = new Float32Array(rows.length * source.classes.length);
      try {
        for (let start = 0; start < rows.length; start += BATCH) {
          const part = rows.subarray(start, start + BATCH);
          const pixels = await source.read(part);
          const probs = tf.tidy(() =>
            loaded.predict(inputBatch(tf, plan, pixels, part.length)) as TfCore.Tensor
          );
          out.set(await probs.data() as Float32Array, start * source.classes.length);
          probs.dispose();
        }
      } finally {
        loaded.dispose();
      }
      return out;
    },
    close: () => source.close(),
  };
}

interface ModelInput {
  inputSize?: [number, number];
  channels?: number;
  preprocessing?: Preprocessing;
}

function concatWeights(weights: Weights): ArrayBuffer {
  const bytes = new Uint8Array(weights.reduce((n, w) => n + w.values.byteLength, 0));
  let offset = 0;
  for (const w of weights) {
    bytes.set(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength), offset);
    offset += w.values.byteLength;
  }
  return bytes.buffer;
}
