/**
 * Loading what pages and the JSON API show, from the journal and the store.
 * Missing runs and stages become 404 `HttpError`s here, once.
 */
import type { DashboardContext } from "./_context.ts";
import { HttpError } from "./http_error.ts";
import { listOutputFiles, type OutputFile } from "./outputs.ts";
import type { MetricSeries, RunRecord, StageBrief, StageRecord } from "@dropline/engine";

/** The run, or a 404. */
export function loadRun(ctx: DashboardContext, runId: string): RunRecord {
  const run = ctx.journal.getRun(runId);
  if (!run) throw new HttpError(404, `Run "${runId}" does not exist`);
  return run;
}

/** The stage of a run, or a 404. */
export function loadStage(ctx: DashboardContext, runId: string, stageId: string): StageRecord {
  const stage = ctx.journal.getStage(runId, stageId);
  if (!stage) throw new HttpError(404, `Stage "${stageId}" does not exist in run "${runId}"`);
  return stage;
}

/** True when the directory holds a report.md (it is a report stage's output). */
export function hasReport(outPath: string | null): boolean {
  if (outPath === null) return false;
  try {
    return Deno.statSync(`${outPath}/report.md`).isFile;
  } catch {
    return false;
  }
}

/** Stage ids of a run whose published output is a report. */
export function reportStages(stages: StageBrief[]): string[] {
  return stages
    .filter((s) => (s.state === "succeeded" || s.state === "cached") && hasReport(s.outPath))
    .map((s) => s.id);
}

/** Everything about a stage beyond its row. */
export interface StageDetails {
  history: StageRecord[];
  downstream: string[];
  outputs: { files: OutputFile[]; truncated: boolean };
  metrics: MetricSeries;
  hasReport: boolean;
}

/** Loads a stage's attempts, dependants, output files and metrics. */
export async function loadStageDetails(
  ctx: DashboardContext,
  run: RunRecord,
  stage: StageRecord,
): Promise<StageDetails> {
  const downstream = ctx.journal.listStages(run.id)
    .filter((other) => other.needs.includes(stage.id))
    .map((other) => other.id);
  return {
    history: ctx.journal.stageHistory(run.pipeline, stage.id),
    downstream,
    outputs: stage.outPath ? await listOutputFiles(stage.outPath) : { files: [], truncated: false },
    metrics: ctx.journal.metrics(run.id, stage.id),
    hasReport: hasReport(stage.outPath),
  };
}
