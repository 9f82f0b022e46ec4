/**
 * TF.js models in a directory (`model.json` + `weights.bin`, or the shards a
 * converted model names) through Deno's file APIs, so saving and loading work
 * on every backend without tfjs-node's `file://` handler.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import type * as TfLayers from "@tensorflow/tfjs-layers";
import type { GraphModel } from "@tensorflow/tfjs-converter";
import type { TensorRuntime } from "./runtime.ts";

type IOHandler = TfCore.io.IOHandler;
type ModelArtifacts = TfCore.io.ModelArtifacts;
type WeightsManifestConfig = TfCore.io.WeightsManifestConfig;

/** The file names a saved model uses. */
export const MODEL_JSON = "model.json";
export const WEIGHTS_BIN = "weights.bin";

/**
 * An IOHandler reading and writing a model in directory `dir`.
 *
 * @example
 * ```ts
 * await model.save(directoryIO("/tmp/my_model"));
 * const again = await rt.tf.loadLayersModel(directoryIO("/tmp/my_model"));
 * ```
 */
export function directoryIO(dir: string): IOHandler {
  return {
    save: (artifacts) => saveArtifacts(dir, artifacts),
    load: () => loadArtifacts(dir),
  };
}

/**
 * Saves a Layers model as `dir/model.json` + `dir/weights.bin` (creating `dir`).
 *
 * @example
 * ```ts
 * await saveModelToDir(model, `${ctx.outDir}/model`);
 * ```
 */
export async function saveModelToDir(model: TfLayers.LayersModel, dir: string): Promise<void> {
  await model.save(directoryIO(dir));
}

/**
 * Loads a Layers model saved in `dir`.
 *
 * @example
 * ```ts
 * const model = await loadLayersModelFromDir(rt, "/tmp/my_model");
 * ```
 */
export function loadLayersModelFromDir(
  rt: TensorRuntime,
  dir: string,
  options: { strict?: boolean } = {},
): Promise<TfLayers.LayersModel> {
  return rt.tf.loadLayersModel(directoryIO(dir), options);
}

/**
 * Loads a Graph model (TF.js converter format) saved in `dir`.
 *
 * @example
 * ```ts
 * const model = await loadGraphModelFromDir(rt, "/tmp/graph_model");
 * ```
 */
export function loadGraphModelFromDir(rt: TensorRuntime, dir: string): Promise<GraphModel> {
  return rt.tf.loadGraphModel(directoryIO(dir));
}

async function saveArtifacts(dir: string, artifacts: ModelArtifacts) {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new TypeError("Cannot save a model whose topology is binary: expected JSON");
  }
  await Deno.mkdir(dir, { recursive: true });
  const data = artifacts.weightData;
  const weights = concat(
    (Array.isArray(data) ? data : data ? [data] : []).map((b) => new Uint8Array(b)),
  );
  const manifest: WeightsManifestConfig = [{
    paths: [WEIGHTS_BIN],
    weights: artifacts.weightSpecs ?? [],
  }];
  const json: Record<string, unknown> = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    trainingConfig: artifacts.trainingConfig,
    userDefinedMetadata: artifacts.userDefinedMetadata,
    signature: artifacts.signature,
    modelInitializer: artifacts.modelInitializer,
    weightsManifest: manifest,
  };
  const text = JSON.stringify(json);
  await Deno.writeFile(`${dir}/${WEIGHTS_BIN}`, weights);
  await Deno.writeTextFile(`${dir}/${MODEL_JSON}`, text);
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: "JSON" as const,
      modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
      weightSpecsBytes: JSON.stringify(manifest[0]!.weights).length,
      weightDataBytes: weights.byteLength,
    },
  };
}

async function loadArtifacts(dir: string): Promise<ModelArtifacts> {
  const path = `${dir}/${MODEL_JSON}`;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot load model: "${path}" does not exist`);
    }
    throw new Error(`Cannot load model: "${path}" is not valid JSON`);
  }
  if (typeof json.modelTopology !== "object" || json.modelTopology === null) {
    throw new Error(`Cannot load model: "${path}" has no modelTopology`);
  }
  const manifest = (json.weightsManifest ?? []) as WeightsManifestConfig;
  const parts: Uint8Array[] = [];
  for (const group of manifest) {
    for (const file of group.paths) {
      parts.push(await Deno.readFile(`${dir}/${safeName(file, path)}`));
    }
  }
  const { weightsManifest: _, ...rest } = json;
  return {
    ...rest,
    weightSpecs: manifest.flatMap((group) => group.weights),
    weightData: concat(parts).buffer,
  } as ModelArtifacts;
}

/** Weight files must sit inside the model directory: a manifest is untrusted input. */
function safeName(file: string, manifestPath: string): string {
  const parts = file.split(/[\\/]/);
  if (file.startsWith("/") || parts.some((p) => p === ".." || p === "")) {
    throw new Error(
      `Cannot load model: weight path "${file}" in "${manifestPath}" leaves its directory`,
    );
  }
  return file;
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
