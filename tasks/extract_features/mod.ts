/**
 * `extract_features`: runs a backbone (the output of `backbone` or `pretrain`)
 * over a data set in batches, cut at a named layer (default: the feature
 * layer of `backbone.json`), and writes a features directory. Images are
 * mapped to the model's channels, resized to its input size and
 * pre-processed as `backbone.json` says; progress is counted in images.
 */
import { z } from "zod";
import { FEATURES_FILES } from "../../packages/ml/formats/features.ts";
import { defineTask, TaskError } from "../../packages/engine/task.ts";
import { tensorEnvironment } from "../../packages/tensor/tensor_environment.ts";
import { BackendParam } from "../../packages/tensor/backend_param.ts";

const ExtractParams = z.strictObject({
  backbone: z.string().min(1).describe("backbone directory: model.json, weights, backbone.json"),
  dataset: z.string().min(1).describe("data set directory"),
  layer: z.string().min(1).optional().describe(
    "layer (Layers) or node (Graph) to cut at; default: backbone.json's feature layer, else the model output",
  ),
  pool: z.enum(["avg", "max", "flatten"]).default("avg").describe(
    "how an output with spatial axes becomes a vector: global average, global max, or flatten",
  ),
  resize: z.enum(["bilinear", "nearest"]).default("bilinear").describe(
    "resampling when the images' size differs from the model's input size",
  ),
  batch_size: z.int().positive().default(64).describe("images per forward pass"),
  backend: BackendParam,
});

/** The validated `with` of an `extract_features` stage. */
export type ExtractParams = z.output<typeof ExtractParams>;

export default defineTask({
  name: "extract_features",
  version: 1,
  description: "Runs a backbone over a data set and writes its features at a named layer",
  module: import.meta.url,
  schema: ExtractParams,
  checkpoints: false,
  outputs: () => [...FEATURES_FILES],
  environment: (p) => tensorEnvironment(p.backend),
  async run(ctx) {
    try {
      const { extractFeatures } = await import("./_extract_run.ts");
      await extractFeatures(ctx);
    } catch (error) {
      if (ctx.signal.aborted) throw new TaskError("Interrupted");
      if (
        error instanceof RangeError || error instanceof TypeError ||
        error instanceof SyntaxError || error instanceof Deno.errors.NotFound
      ) {
        throw new TaskError(error.message);
      }
      throw error;
    }
  },
});
