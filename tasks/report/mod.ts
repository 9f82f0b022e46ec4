/**
 * `report` (fan-in over a matrix): DomainBed-style tables - methods as rows,
 * test domains and their average as columns, mean ± standard error over
 * trials, configurations chosen by training-domain validation, and by the
 * oracle (test-domain validation) - written as `report.md`, `report.json` and
 * `report.tex`, with a findings paragraph computed from the numbers and SVG
 * plots (accuracy against dropout rate per method, per test domain, i.i.d.
 * against o.o.d. per run, training curves).
 */
import { defineTask, withTaskErrors } from "@dropline/task";
import { ReportParams } from "./params.ts";

export default defineTask({
  name: "report",
  // 3: the oracle table, the per-method figure, findings, report.tex; DomainBed's standard error.
  // 4: models scored at the last or initial checkpoint get rows of their own.
  version: 4,
  description:
    "Builds DomainBed-style tables and plots from fine-tuning runs, soups and evaluations",
  module: import.meta.url,
  schema: ReportParams,
  outputs: () => ["report.md", "report.json", "report.tex"],
  inputFiles: (p) => [
    ...p.runs ?? [],
    ...p.linear_probe ?? [],
    ...p.averages ?? [],
    ...p.evaluations ?? [],
  ],
  run: withTaskErrors(async (ctx) => {
    const { writeReport } = await import("./_report_body.ts");
    await writeReport(ctx);
  }),
});

export type { ReportParams } from "./params.ts";
