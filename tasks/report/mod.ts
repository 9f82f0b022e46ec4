/**
 * `report` (fan-in over a matrix): DomainBed-style tables - methods as rows,
 * test domains and their average as columns, mean ± standard error over
 * trials, configurations chosen by training-domain validation - written as
 * `report.md` and `report.json`, with SVG plots (o.o.d. accuracy against
 * dropout rate, i.i.d. against o.o.d. per run, training curves).
 */
import { defineTask, TaskError } from "@dropline/task";
import { ReportParams } from "./params.ts";

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

export type { ReportParams } from "./params.ts";
