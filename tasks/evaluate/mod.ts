/**
 * `evaluate`: accuracy per domain and split of a model, an ensemble
 * directory, a `finetune` run (its selected checkpoint by default), or several
 * of these as one output ensemble (mean probabilities). i.i.d. = mean over the
 * training domains' out-splits; o.o.d. = the test domains. Writes
 * `evaluation.json`.
 */
import { z } from "zod";
import { defineTask, TaskError } from "../../packages/engine/task.ts";
import { PathList } from "../_shared/path_list.ts";
import { tensorEnvironment } from "../../packages/tensor/tensor_environment.ts";
import { BackendParam } from "../../packages/tensor/backend_param.ts";

const DomainRef = z.union([z.string().min(1), z.int().nonnegative()]);

const EvaluateParams = z.strictObject({
  model: PathList.describe("model, ensemble or finetune run directory; several make an ensemble"),
  features: z.string().min(1).optional().describe("features directory, for heads"),
  dataset: z.string().min(1).optional().describe("data set directory, for networks"),
  backend: BackendParam,
  checkpoint: z.enum(["selected", "last", "initial"]).default("selected").describe(
    "which model of a finetune run",
  ),
  test_domains: z.array(DomainRef).min(1).optional().describe("override the model's test domains"),
}).refine((p) => p.features || p.dataset, {
  message: "Give `features` (heads) or `dataset` (networks)",
});
export type EvaluateParams = z.output<typeof EvaluateParams>;

export default defineTask({
  name: "evaluate",
  version: 1,
  description: "Scores a model or an ensemble on every domain and split",
  module: import.meta.url,
  schema: EvaluateParams,
  outputs: () => ["evaluation.json"],
  // Heads on features are scored in plain TypeScript; networks need a backend.
  environment: (p) => p.dataset ? tensorEnvironment(p.backend) : {},
  inputFiles: (p) => [...p.model, p.features, p.dataset].filter((f): f is string => Boolean(f)),
  async run(ctx) {
    const { evaluateModels } = await import("./_evaluate_models.ts");
    try {
      await evaluateModels(ctx);
    } catch (error) {
      if (
        error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError
      ) {
        throw new TaskError(error.message);
      }
      throw error;
    }
  },
});
