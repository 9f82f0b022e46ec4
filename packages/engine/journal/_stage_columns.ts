/**
 * The columns of a `stages` row as the writer sees them: what a runner
 * inserts at the start of a run and what it updates while a stage runs.
 */
import type { SQLInputValue } from "node:sqlite";
import type { StageState } from "./schema.ts";

/** The row a runner writes for each stage at the start of a run. */
export interface StageRow {
  stageId: string;
  stageName: string;
  seq: number;
  matrix: string;
  task: string;
  taskVersion: number;
  needs: string;
  params: string;
  state: StageState;
  reason: string;
  key?: string | null;
}

/** Fields of a stage row that change while it runs. */
export interface StageUpdate {
  state?: StageState;
  reason?: string;
  key?: string | null;
  keyInputs?: string | null;
  startedAt?: number;
  endedAt?: number;
  error?: string | null;
  logPath?: string;
  outPath?: string;
  digest?: string;
  progress?: string | null;
  facts?: string;
  /** Where the attempt executes: `local` or `slurm`. */
  executor?: string;
}

/** Every column of a stage row, in insert order. */
export const STAGE_COLUMNS = [
  "run_id",
  "stage_id",
  "stage_name",
  "seq",
  "matrix",
  "task",
  "task_version",
  "needs",
  "params",
  "state",
  "reason",
  "key",
  "key_inputs",
  "started_at",
  "ended_at",
  "error",
  "log_path",
  "out_path",
  "digest",
  "progress",
  "facts",
  "executor",
] as const;

/** Column values of a stage row by column name. */
export type StageColumns = Partial<Record<typeof STAGE_COLUMNS[number], SQLInputValue>>;

const UPDATE_COLUMNS: Record<keyof StageUpdate, typeof STAGE_COLUMNS[number]> = {
  state: "state",
  reason: "reason",
  key: "key",
  keyInputs: "key_inputs",
  startedAt: "started_at",
  endedAt: "ended_at",
  error: "error",
  logPath: "log_path",
  outPath: "out_path",
  digest: "digest",
  progress: "progress",
  facts: "facts",
  executor: "executor",
};

/** The columns of a new stage row of run `runId`. */
export function insertColumns(runId: string, s: StageRow): StageColumns {
  return {
    run_id: runId,
    stage_id: s.stageId,
    stage_name: s.stageName,
    seq: s.seq,
    matrix: s.matrix,
    task: s.task,
    task_version: s.taskVersion,
    needs: s.needs,
    params: s.params,
    state: s.state,
    reason: s.reason,
    key: s.key ?? null,
  };
}

/** The columns an update sets (fields left undefined are not touched). */
export function updateColumns(update: StageUpdate): StageColumns {
  const columns: StageColumns = {};
  for (const [field, value] of Object.entries(update)) {
    if (value !== undefined) columns[UPDATE_COLUMNS[field as keyof StageUpdate]] = value;
  }
  return columns;
}
