/**
 * `extract_features`: runs a backbone (the output of `backbone` or `pretrain`)
 * over a data set in batches, cut at a named layer (default: the feature
 * layer of `backbone.json`), and writes a features directory. Images are
 * mapped to the model's channels, resized to its input size and
 * pre-processed as `backbone.json` says; progress is counted in images. An
 * interrupted stage resumes after its last finished batch.
 */
import { FEATURES_FILES } from "@dropline/ml";
import { defineTask, withTaskErrors } from "@dropline/task";
import { ExtractParams } from "./params.ts";
import { TENSOR_HOST_FLAGS, tensorEnvironment } from "@dropline/tensor";

export default defineTask({
  name: "extract_features",
  version: 1,
  description: "Runs a backbone over a data set and writes its features at a named layer",
  module: import.meta.url,
  schema: ExtractParams,
  outputs: () => [...FEATURES_FILES],
  environment: (p) => tensorEnvironment(p.backend),
  hostFlags: TENSOR_HOST_FLAGS,
  run: withTaskErrors(async (ctx) => {
    const { extractFeatures } = await import("./_extract_run.ts");
    await extractFeatures(ctx);
  }, { also: [Deno.errors.NotFound] }),
});

export type { ExtractParams } from "./params.ts";
