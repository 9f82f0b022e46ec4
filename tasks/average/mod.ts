/**
 * `average` (fan-in over `finetune` runs): per group of runs (by default, per
 * test domain), a uniform soup, a greedy soup, WiSE-FT of the best run for
 * each alpha, and an output ensemble - each written with its evaluation.
 * Refuses to average runs with different architectures or starting points.
 */
import { z } from "zod";
import { defineTask, TaskError } from "../../packages/engine/task.ts";
import { PathList } from "../_shared/path_list.ts";
import { tensorEnvironment } from "../../packages/tensor/tensor_environment.ts";
import { BackendParam } from "../../packages/tensor/backend_param.ts";

const METHODS = ["uniform_soup", "greedy_soup", "ensemble", "wise_ft"] as const;

const AverageParams = z.strictObject({
  runs: PathList.describe("finetune output directories (usually ${{ stages.finetune.out }})"),
  features: z.string().min(1).optional().describe("features directory, for heads"),
  dataset: z.string().min(1).optional().describe("data set directory, for networks"),
  backend: BackendParam,
  checkpoint: z.enum(["selected", "last"]).default("selected").describe(
    "which model of each run is an ingredient",
  ),
  group_by: z.array(z.string().min(1)).default(["test_domains"]).describe(
    "run parameters that split runs into groups",
  ),
  where: z.record(z.string(), z.unknown()).default({}).describe(
    "keep only runs with these parameter values",
  ),
  methods: z.array(z.enum(METHODS)).min(1).default([...METHODS]),
  greedy_strict: z.boolean().default(false).describe(
    "greedy soup keeps an ingredient only on strict improvement",
  ),
  alphas: z.array(z.number().min(0).max(1)).min(1).default([
    0,
    0.1,
    0.2,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.8,
    0.9,
    1,
  ]),
}).refine((p) => p.features || p.dataset, {
  message: "Give `features` (heads) or `dataset` (networks)",
});
type AverageParams = z.output<typeof AverageParams>;

export default defineTask({
  name: "average",
  version: 1,
  description:
    "Weight-averages and ensembles fine-tuned runs: uniform and greedy soups, WiSE-FT, ensembles",
  module: import.meta.url,
  schema: AverageParams,
  outputs: () => ["average.json"],
  // Heads on features are scored in plain TypeScript; networks need a backend.
  environment: (p) => p.dataset ? tensorEnvironment(p.backend) : {},
  inputFiles: (p) => [...p.runs, p.features, p.dataset].filter((f): f is string => Boolean(f)),
  async run(ctx) {
    const { averageRuns } = await import("./_average_runs.ts");
    try {
      await averageRuns(ctx);
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

export type { AverageParams };
