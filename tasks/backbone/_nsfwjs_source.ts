/**
 * The Keras Layers models the npm package `nsfwjs` (4.4.0, pinned in
 * deno.json) ships inside the package: an offline source of trainable
 * networks with ImageNet-initialised early layers.
 *
 * What they are (read from their model.json): Keras 2.2.4 MobileNetV2
 * (224x224, 2.6 M weights) and InceptionV3 (299x299, 22.4 M) fine-tuned as
 * 5-class NSFW classifiers - an ImageNet-initialised base whose first layers
 * were frozen during that fine-tuning (98 of 162 and 167 of 318 layers say
 * `trainable: false`: those keep ImageNet values), then average pooling,
 * Flatten and a Dense 256 - 128 - 5 head. Not ImageNet weights themselves;
 * weights are uint8-quantised per tensor; inputs are pixels / 255.
 * The package wraps model.json and base64 weight shards in JS modules; this
 * module writes them back as a standard model directory, every layer
 * trainable.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** The Layers models nsfwjs ships, by the name used in `url: nsfwjs:<name>`. */
export const NSFWJS_MODELS = ["mobilenet_v2", "inception_v3"] as const;

/** A model name. */
export type NsfwjsModel = typeof NSFWJS_MODELS[number];

interface PackagedModel {
  modelJson(): Promise<{ default: Record<string, unknown> }>;
  weightBundles: (() => Promise<{ default: string }>)[];
}

// Literal specifiers: Deno resolves them from deno.json's import map.
const LOADERS: Record<NsfwjsModel, () => Promise<PackagedModel>> = {
  mobilenet_v2: async () =>
    (await import("nsfwjs/models/mobilenet_v2")).MobileNetV2Model as unknown as PackagedModel,
  inception_v3: async () =>
    (await import("nsfwjs/models/inception_v3")).InceptionV3Model as unknown as PackagedModel,
};

/** The model a `nsfwjs:<name>` URL names, else null. */
export function nsfwjsModelOf(url: string): NsfwjsModel | null {
  const name = url.match(/^nsfwjs:(.+)$/)?.[1];
  return (NSFWJS_MODELS as readonly string[]).includes(name ?? "") ? name as NsfwjsModel : null;
}

/** What {@linkcode writeNsfwjsModel} wrote. */
export interface WrittenModel {
  /** The Flatten layer after the pooled base: the representation to fine-tune from. */
  featureLayer: string;
  /** Layers whose `trainable: false` was lifted. */
  unfrozen: number;
}

/**
 * Writes `dir/model.json` and its weight shards (`*.bin`) for `name`, with
 * every layer trainable.
 *
 * @example
 * ```ts
 * const { featureLayer } = await writeNsfwjsModel("mobilenet_v2", dir); // "flatten_1"
 * ```
 */
export async function writeNsfwjsModel(name: NsfwjsModel, dir: string): Promise<WrittenModel> {
  const packaged = await LOADERS[name]();
  const json = structuredClone((await packaged.modelJson()).default) as {
    modelTopology: { model_config: { config: { layers: Layer[] } } };
    weightsManifest: { paths: string[] }[];
  };
  const layers = json.modelTopology.model_config.config.layers;
  let unfrozen = 0;
  for (const layer of layers) {
    if (layer.config.trainable === false) unfrozen++;
    layer.config.trainable = true;
  }
  const paths = json.weightsManifest.flatMap((group) => group.paths);
  if (paths.length !== packaged.weightBundles.length) {
    throw new RangeError(
      `nsfwjs ${name}: model.json names ${paths.length} weight files, the package has ${packaged.weightBundles.length}`,
    );
  }
  await Deno.mkdir(dir, { recursive: true });
  for (const group of json.weightsManifest) group.paths = group.paths.map((p) => `${p}.bin`);
  for (const [i, load] of packaged.weightBundles.entries()) {
    const base64 = (await load()).default;
    await Deno.writeFile(`${dir}/${paths[i]}.bin`, Buffer.from(base64, "base64"));
  }
  await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(json));
  const flatten = layers.findLast((l) => l.class_name === "Flatten");
  if (!flatten) throw new RangeError(`nsfwjs ${name}: no Flatten layer after the base`);
  return { featureLayer: flatten.config.name as string, unfrozen };
}

interface Layer {
  class_name: string;
  config: Record<string, unknown>;
}
