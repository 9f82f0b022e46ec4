/** The `with` parameters of a `report` stage. */
import { z } from "zod";
import { PathList } from "../_shared/path_list.ts";

/** Default `rows_by`; an input may lack these (a model that was not fine-tuned has no dropout). */
export const DEFAULT_ROWS_BY: readonly string[] = ["dropout", "schedule.kind"];
/** Default `trials_by`: ensembles and soups combine every seed, so they have none. */
export const DEFAULT_TRIALS_BY: readonly string[] = ["seed"];

export const ReportParams = z.strictObject({
  runs: PathList.optional().describe("finetune output directories"),
  linear_probe: PathList.optional().describe(
    'finetune runs of a linear head on frozen features: a "Linear probe" baseline row',
  ),
  averages: PathList.optional().describe("average output directories"),
  evaluations: PathList.optional().describe("evaluate output directories"),
  title: z.string().min(1).default("Results"),
  rows_by: z.array(z.string().min(1)).default(() => [...DEFAULT_ROWS_BY])
    .describe("parameters that make a method row (besides the method)"),
  trials_by: z.array(z.string().min(1)).default(() => [...DEFAULT_TRIALS_BY]).describe(
    "parameters that number trials",
  ),
  plots: z.boolean().default(true),
}).refine((p) => p.runs || p.linear_probe || p.averages || p.evaluations, {
  message: "Give at least one of `runs`, `linear_probe`, `averages` or `evaluations`",
});
export type ReportParams = z.output<typeof ReportParams>;
