/**
 * `report` (fan-in over a matrix): DomainBed-style tables - methods as rows,
 * test domains and their average as columns, mean ± standard error over
 * trials, configurations chosen by training-domain validation - written as
 * `report.md` and `report.json`, with SVG plots (o.o.d. accuracy against
 * dropout rate, i.i.d. against o.o.d. per run, training curves).
 */
import { z } from "zod";
import { defineTask, TaskError } from "../../packages/engine/task.ts";
import { PathList } from "../_shared/path_list.ts";

const ReportParams = z.strictObject({
  runs: PathList.optional().describe("finetune output directories"),
  averages: PathList.optional().describe("average output directories"),
  evaluations: PathList.optional().describe("evaluate output directories"),
  title: z.string().min(1).default("Results"),
  rows_by: z.array(z.string().min(1)).default(["dropout", "schedule.kind"])
    .describe("parameters that make a method row (besides the method)"),
  trials_by: z.array(z.string().min(1)).default(["seed"]).describe("parameters that number trials"),
  plots: z.boolean().default(true),
}).refine((p) => p.runs || p.averages || p.evaluations, {
  message: "Give at least one of `runs`, `averages` or `evaluations`",
});
export type ReportParams = z.output<typeof ReportParams>;

export default defineTask({
  name: "report",
  version: 1,
  description:
    "Builds DomainBed-style tables and plots from fine-tuning runs, soups and evaluations",
  module: import.meta.url,
  schema: ReportParams,
  outputs: () => ["report.md", "report.json"],
  inputFiles: (p) => [...p.runs ?? [], ...p.averages ?? [], ...p.evaluations ?? []],
  async run(ctx) {
    const { writeReport } = await import("./_report_body.ts");
    try {
      await writeReport(ctx);
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
