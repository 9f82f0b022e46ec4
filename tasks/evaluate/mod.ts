/**
 * `evaluate`: accuracy per domain and split of a model, an ensemble
 * directory, a `finetune` run (its selected checkpoint by default), or several
 * of these as one output ensemble (mean probabilities). i.i.d. = mean over the
 * training domains' out-splits; o.o.d. = the test domains. Writes
 * `evaluation.json`.
 */
import { defineTask, numberAt, withTaskErrors } from "@dropline/task";
import { EvaluateParams } from "./params.ts";
import { TENSOR_HOST_FLAGS, tensorEnvironment } from "@dropline/tensor";

export default defineTask({
  name: "evaluate",
  version: 1,
  description: "Scores a model or an ensemble on every domain and split",
  module: import.meta.url,
  schema: EvaluateParams,
  outputs: () => ["evaluation.json"],
  // i.i.d. (the training domains' out-splits) and o.o.d. (the test domains) accuracy.
  headline: {
    file: "evaluation.json",
    read: (record) => ({
      val_acc: numberAt(record, "val_acc"),
      test_acc: numberAt(record, "ood"),
    }),
  },
  // Heads on features are scored in plain TypeScript; networks need a backend.
  environment: (p) => p.dataset ? tensorEnvironment(p.backend) : {},
  hostFlags: TENSOR_HOST_FLAGS,
  inputFiles: (p) => [...p.model, p.features, p.dataset].filter((f): f is string => Boolean(f)),
  run: withTaskErrors(async (ctx) => {
    const { evaluateModels } = await import("./_evaluate_models.ts");
    await evaluateModels(ctx);
  }),
});

export type { EvaluateParams } from "./params.ts";
