/**
 * Tiny TF.js models saved the way published backbones are (`model.json` plus
 * weight shards), for tests that fetch, load and run a backbone without any
 * network: a Layers CNN built and saved with the tensor runtime, and a
 * hand-written Graph model (mean-pool then matrix multiply).
 *
 * @example
 * ```ts
 * import { readTree, saveTinyLayersModel, tinyGraphModelFiles } from "./tiny_model.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const { featureLayer, featureDimension } = await saveTinyLayersModel(dir, { shards: 2 });
 * await using server = serveFiles(await readTree(dir, "model/"));
 * ```
 * @module
 */

/** Options of {@link saveTinyLayersModel}. */
export interface TinyModelOptions {
  /** [height, width]; default [8, 8]. */
  inputSize?: [number, number];
  /** Default 3. */
  channels?: number;
  /** Classes of the softmax head; default 3. */
  classes?: number;
  /** Weight files to split the weights into; default 2. */
  shards?: number;
}

/**
 * Builds conv(4 filters) -> global average pooling ("features") -> dense
 * softmax ("logits") and saves it in `dir` as model.json + shards.
 *
 * @example
 * ```ts
 * const { featureLayer } = await saveTinyLayersModel(dir); // "features"
 * ```
 */
export async function saveTinyLayersModel(
  dir: string,
  options: TinyModelOptions = {},
): Promise<{ featureLayer: string; featureDimension: number; weightFiles: string[] }> {
  const { loadTensorRuntime } = await import("@dropline/tensor");
  const { directoryIO } = await import("@dropline/tensor");
  const { tf } = await loadTensorRuntime({ log: () => {} });
  const [height, width] = options.inputSize ?? [8, 8];
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        name: "conv",
        inputShape: [height, width, options.channels ?? 3],
        filters: 4,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
      }),
      tf.layers.globalAveragePooling2d({ name: "features" }),
      tf.layers.dense({ name: "logits", units: options.classes ?? 3, activation: "softmax" }),
    ],
  });
  await model.save(directoryIO(dir));
  model.dispose();
  const weightFiles = await splitWeights(dir, options.shards ?? 2);
  return { featureLayer: "features", featureDimension: 4, weightFiles };
}

/** Splits `weights.bin` into `n` shards named as the TF.js converter names them. */
async function splitWeights(dir: string, n: number): Promise<string[]> {
  const weights = await Deno.readFile(`${dir}/weights.bin`);
  const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  const size = Math.ceil(weights.length / n);
  const paths = Array.from({ length: n }, (_, i) => `group1-shard${i + 1}of${n}.bin`);
  for (const [i, path] of paths.entries()) {
    await Deno.writeFile(`${dir}/${path}`, weights.subarray(i * size, (i + 1) * size));
  }
  await Deno.remove(`${dir}/weights.bin`);
  json.weightsManifest[0].paths = paths;
  await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(json));
  return paths;
}

/** The Graph model's matrix: output = mean over pixels of each channel, times W (3 x 2). */
export const TINY_GRAPH_WEIGHTS = [1, 2, 3, 4, 5, 6];

/**
 * A Graph model (input [-1, 4, 4, 3] -> Mean over height and width ->
 * MatMul with {@link TINY_GRAPH_WEIGHTS}) as `{ "model.json", "group1-shard1of1.bin" }`.
 *
 * @example
 * ```ts
 * await using server = serveFiles(prefixed(tinyGraphModelFiles(), "graph/"));
 * ```
 */
export function tinyGraphModelFiles(): Record<string, Uint8Array | string> {
  const attrType = (type: string) => ({ type });
  const node = (name: string, op: string, input: string[], attr: Record<string, unknown>) => ({
    name,
    op,
    input,
    attr,
  });
  const modelTopology = {
    node: [
      node("input", "Placeholder", [], {
        dtype: attrType("DT_FLOAT"),
        shape: { shape: { dim: [{ size: "-1" }, { size: "4" }, { size: "4" }, { size: "3" }] } },
      }),
      node("axes", "Const", [], {
        dtype: attrType("DT_INT32"),
        value: { tensor: { dtype: "DT_INT32", tensorShape: { dim: [{ size: "2" }] } } },
      }),
      node("pooled", "Mean", ["input", "axes"], {
        T: attrType("DT_FLOAT"),
        Tidx: attrType("DT_INT32"),
        keep_dims: { b: false },
      }),
      node("w", "Const", [], {
        dtype: attrType("DT_FLOAT"),
        value: {
          tensor: { dtype: "DT_FLOAT", tensorShape: { dim: [{ size: "3" }, { size: "2" }] } },
        },
      }),
      node("output", "MatMul", ["pooled", "w"], {
        T: attrType("DT_FLOAT"),
        transpose_a: { b: false },
        transpose_b: { b: false },
      }),
    ],
    library: {},
    versions: { producer: 1 },
  };
  const weights = new Uint8Array(8 + 24);
  new Int32Array(weights.buffer, 0, 2).set([1, 2]);
  new Float32Array(weights.buffer, 8, 6).set(TINY_GRAPH_WEIGHTS);
  const json = {
    format: "graph-model",
    generatedBy: "dropline tests",
    convertedBy: null,
    modelTopology,
    weightsManifest: [{
      paths: ["group1-shard1of1.bin"],
      weights: [{ name: "axes", shape: [2], dtype: "int32" }, {
        name: "w",
        shape: [3, 2],
        dtype: "float32",
      }],
    }],
  };
  return { "model.json": JSON.stringify(json), "group1-shard1of1.bin": weights };
}

/**
 * Every file under `dir`, keyed by `prefix` + its relative path, for `serveFiles`.
 *
 * @example
 * ```ts
 * const files = await readTree(modelDir, "model/"); // { "model/model.json": ..., ... }
 * ```
 */
export async function readTree(dir: string, prefix = ""): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) Object.assign(files, await readTree(path, `${prefix}${entry.name}/`));
    else if (entry.isFile) files[`${prefix}${entry.name}`] = await Deno.readFile(path);
  }
  return files;
}

/**
 * The same files under a path prefix.
 *
 * @example
 * ```ts
 * prefixed({ "model.json": "{}" }, "m/"); // { "m/model.json": "{}" }
 * ```
 */
export function prefixed<T>(files: Record<string, T>, prefix: string): Record<string, T> {
  return Object.fromEntries(
    Object.entries(files).map(([path, body]) => [`${prefix}${path}`, body]),
  );
}
