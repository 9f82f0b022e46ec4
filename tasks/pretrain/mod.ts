/**
 * `pretrain`: trains a small backbone (DomainBed's MNIST CNN, or an MLP) with
 * a linear head on the in-splits of chosen domains of a data set. Checkpoints
 * (weights, optimiser state, step, generator state) go to the stage's
 * checkpoint directory, so a killed run resumes where it stopped. The output
 * is a Layers model with `backbone.json`, usable like a fetched backbone by
 * `extract_features` and `finetune`.
 */
import { defineTask, numberAt, withTaskErrors } from "@dropline/task";
import { PretrainParams } from "./_pretrain_params.ts";
import { TENSOR_HOST_FLAGS, tensorEnvironment } from "@dropline/tensor";

export default defineTask({
  name: "pretrain",
  version: 1,
  description: "Trains a small backbone (MNIST CNN or MLP) on chosen domains, resumably",
  module: import.meta.url,
  schema: PretrainParams,
  outputs: () => ["model.json", "weights.bin", "backbone.json", "pretrain.json"],
  // The backbone is the last step's: its validation accuracy on the training domains.
  headline: {
    file: "pretrain.json",
    read: (record) => ({ val_acc: numberAt(record, "last.val_acc") }),
  },
  environment: (p) => tensorEnvironment(p.backend),
  hostFlags: TENSOR_HOST_FLAGS,
  run: withTaskErrors(async (ctx) => {
    const { pretrain } = await import("./_pretrain_run.ts");
    await pretrain(ctx);
  }, {
    interrupted: "Interrupted; the next run resumes from the last checkpoint",
    also: [Deno.errors.NotFound],
  }),
});
