/**
 * `finetune`: trains a classifier head with dropout on the representation
 * (rates up to 0.99) over a features directory, or fine-tunes a Layers
 * backbone end to end (or its last blocks) with such a head over a data set:
 * the paper's recipe (BatchNorm statistics frozen, DomainBed's augmentation).
 * Batches come from each training domain's in-split; checkpoints are selected
 * by training-domain validation; a killed run resumes from its last
 * checkpoint to the same result.
 */
import { defineTask, numberAt, withTaskErrors } from "@dropline/task";
import { FINETUNE_OUTPUTS } from "./_finetune_outputs.ts";
import { FinetuneWith } from "./params.ts";
import { TENSOR_HOST_FLAGS, tensorEnvironment } from "@dropline/tensor";

export default defineTask({
  name: "finetune",
  // 3: augmentation draws from Prng (sfc32), the one generator.
  version: 3,
  description: "Fine-tunes a head (and optionally a backbone) with dropout on the representation",
  module: import.meta.url,
  schema: FinetuneWith,
  outputs: () => FINETUNE_OUTPUTS,
  // The selected checkpoint (best training-domain validation) and its test-domain accuracy.
  headline: {
    file: "summary.json",
    read: (summary) => ({
      val_acc: numberAt(summary, "selected.val_acc"),
      test_acc: numberAt(summary, "selected.ood"),
    }),
  },
  // The features path is plain TypeScript: only the backbone path depends on a backend.
  environment: (p) => p.backbone ? tensorEnvironment(p.backend) : {},
  hostFlags: TENSOR_HOST_FLAGS,
  // Local inputs count by content; paths into upstream outputs are keyed by their digests already.
  inputFiles: (p) => [p.features, p.backbone, p.dataset].filter((f): f is string => Boolean(f)),
  run: withTaskErrors(async (ctx) => {
    if (ctx.params.features) {
      const { finetuneHead } = await import("./_finetune_head.ts");
      await finetuneHead(ctx);
    } else {
      const { finetuneNetwork } = await import("./_finetune_network.ts");
      await finetuneNetwork(ctx);
    }
  }, { interrupted: "Interrupted; the next run resumes from the last checkpoint" }),
});
