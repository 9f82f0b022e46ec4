/**
 * `backbone.json`, written beside a fetched TF.js model (`model.json` and its
 * weight files): the model's format, input size, pixel pre-processing and the
 * layer whose output serves as features.
 *
 * Pre-processing maps a uint8 pixel `v` of channel `c` to
 * `((v * scale + offset) - mean[c]) / std[c]`.
 *
 * @example
 * ```ts
 * import { readBackboneInfo } from "./backbone_info.ts";
 *
 * const info = await readBackboneInfo(dir);
 * console.log(info.format, info.inputSize, info.preprocessing.scale);
 * ```
 * @module
 */
import { z } from "zod";
import { readJsonFile } from "./_json_file.ts";

/** How pixels are turned into model inputs (see the module doc). */
export const Preprocessing = z.strictObject({
  scale: z.number(),
  offset: z.number(),
  mean: z.array(z.number()),
  std: z.array(z.number().positive()),
});
/** How pixels are turned into model inputs. */
export type Preprocessing = z.infer<typeof Preprocessing>;

/** Schema of `backbone.json`. */
export const BackboneInfo = z.object({
  format: z.literal("dropline-backbone"),
  version: z.literal(1),
  /** `layers`: a trainable tf.LayersModel; `graph`: a frozen tf.GraphModel. */
  modelFormat: z.enum(["layers", "graph"]),
  /** Where the model came from. */
  source: z.string(),
  /** Input height and width. */
  inputSize: z.tuple([z.int().positive(), z.int().positive()]),
  channels: z.int().positive(),
  preprocessing: Preprocessing,
  /** Layer (Layers) or node (Graph) whose output is the feature vector; null: the model's output. */
  featureLayer: z.string().nullable(),
  /** Length of the feature vector, when the model was loaded to check it. */
  featureDimension: z.int().positive().nullable(),
  /** Weight files next to model.json. */
  weightFiles: z.array(z.string()),
  /** What the model was made from: a TF.js model, a safetensors file, a model an npm package ships. */
  sourceFormat: z.enum(["tfjs", "safetensors", "npm"]).optional(),
  /** The pre-processing preset's name (`imagenet`, `unit`, ...) when one was used. */
  preprocessingName: z.string().optional(),
  /** The network a safetensors file was built into (torchvision ResNet). */
  architecture: z.object({
    name: z.string(),
    block: z.enum(["basic", "bottleneck"]),
    layers: z.array(z.int().positive()),
    width: z.int().positive(),
    /** Units of the kept `fc` layer (the model's output), null without one. */
    classes: z.int().positive().nullable(),
  }).optional(),
});
/** The content of `backbone.json`. */
export type BackboneInfo = z.infer<typeof BackboneInfo>;

/**
 * Reads `backbone.json` from a backbone directory.
 *
 * @example
 * ```ts
 * const { modelFormat, featureLayer } = await readBackboneInfo(dir);
 * ```
 */
export function readBackboneInfo(dir: string): Promise<BackboneInfo> {
  return readJsonFile(`${dir}/backbone.json`, BackboneInfo);
}
