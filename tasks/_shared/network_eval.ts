/** Scoring network models (Layers format with a dropline description) on a data set with TF.js. */
import type * as TfCore from "@tensorflow/tfjs-core";
import { type ModelJson, modelMetaOf, type Preprocessing, type Weights } from "@dropline/ml";
import { loadTensorRuntime, registerGroupNorm } from "@dropline/tensor";
import type { EvalData } from "./eval_data_type.ts";
import { imageBatch, loadImageRows } from "./image_rows.ts";

const BATCH = 256;

export async function openNetworkEvalData(
  dataset: string,
  backend?: "auto" | "tensorflow" | "wasm" | "cpu",
): Promise<EvalData> {
  const { tf } = await loadTensorRuntime({ ...(backend ? { backend } : {}), log: () => {} });
  registerGroupNorm(tf);
  const data = await loadImageRows(dataset);
  const all = Int32Array.from(data.labels.keys());
  return {
    kind: "network",
    classes: data.classes,
    domains: data.domains,
    rows: { labels: data.labels, domains: data.domainIds, split: data.split },
    async probabilities(model: { json: ModelJson; weights: Weights }, subset?: Int32Array) {
      const pre = modelMetaOf(model.json).input?.preprocessing as Preprocessing | undefined;
      if (!pre) throw new TypeError("Network model has no recorded pre-processing");
      const bytes = new Uint8Array(model.weights.reduce((n, w) => n + w.values.byteLength, 0));
      let offset = 0;
      for (const w of model.weights) {
        bytes.set(
          new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength),
          offset,
        );
        offset += w.values.byteLength;
      }
      const loaded = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: model.json.modelTopology as object,
        weightSpecs: model.weights.map((w) => ({
          name: w.name,
          shape: w.shape,
          dtype: "float32" as const,
        })),
        weightData: bytes.buffer,
      }));
      const rows = subset ?? all;
      const out = new Float32Array(rows.length * data.classes.length);
      try {
        for (let start = 0; start < rows.length; start += BATCH) {
          const probs = tf.tidy(() =>
            loaded.predict(
              imageBatch(tf, data, rows.subarray(start, start + BATCH), pre),
            ) as TfCore.Tensor
          );
          out.set(await probs.data() as Float32Array, start * data.classes.length);
          probs.dispose();
        }
      } finally {
        loaded.dispose();
      }
      return out;
    },
  };
}
