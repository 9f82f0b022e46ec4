/**
 * `average` (fan-in over `finetune` runs): per group of runs (by default, per
 * test domain), a uniform soup, a greedy soup, WiSE-FT of each run towards
 * the linear-probe network (alpha chosen by training-domain validation), and
 * an output ensemble - each written with its evaluation. Works on heads and
 * on whole networks; refuses to average runs with different architectures or
 * starting points.
 */
import { defineTask, withTaskErrors } from "@dropline/task";
import { averageHeadline } from "./_average_headline.ts";
import { AverageParams } from "./params.ts";
import { TENSOR_HOST_FLAGS, tensorEnvironment } from "@dropline/tensor";

export default defineTask({
  name: "average",
  version: 2,
  description:
    "Weight-averages and ensembles fine-tuned runs: uniform and greedy soups, WiSE-FT, ensembles",
  module: import.meta.url,
  schema: AverageParams,
  outputs: () => ["average.json"],
  headline: { file: "average.json", read: averageHeadline },
  // Heads on features are scored in plain TypeScript; networks need a backend.
  environment: (p) => p.dataset ? tensorEnvironment(p.backend) : {},
  hostFlags: TENSOR_HOST_FLAGS,
  inputFiles: (p) =>
    [...p.runs, ...p.linear_probe ?? [], p.features, p.dataset].filter((f): f is string =>
      Boolean(f)
    ),
  run: withTaskErrors(async (ctx) => {
    const { averageRuns } = await import("./_average_runs.ts");
    await averageRuns(ctx);
  }),
});

export type { AverageParams } from "./params.ts";
