/**
 * What the journal's readers return: runs, stages, events and metrics as
 * plain objects with JSON columns parsed, whatever the schema version.
 */
import type { Row } from "./_statements.ts";
import type { RunState, StageState } from "./schema.ts";

/** One run (`runs` row), with JSON columns parsed. */
export interface RunRecord {
  id: string;
  pipeline: string;
  pipelineFile: string;
  argv: string[];
  state: RunState;
  startedAt: number;
  endedAt: number | null;
  heartbeatAt: number;
  host: string;
  pid: number;
  stageCount: number;
  /** True when the run succeeded reusing every stage (a no-op run). */
  noop: boolean;
}

/** Stage counts of a run by state. */
export type StateCounts = Partial<Record<StageState, number>>;

/** What the run page needs of every stage: no params, no key inputs. */
export interface StageBrief {
  id: string;
  name: string;
  seq: number;
  task: string;
  needs: string[];
  state: StageState;
  reason: string;
  startedAt: number | null;
  endedAt: number | null;
  /** Absolute path of the published output directory, once published. */
  outPath: string | null;
}

/** Everything about one stage of one run (`stages` row), JSON columns parsed. */
export interface StageRecord extends StageBrief {
  runId: string;
  matrix: Record<string, unknown>;
  taskVersion: number;
  key: string | null;
  keyInputs: unknown;
  /** Facts the task recorded (e.g. `{backend, tfjs}`), or null. */
  facts: Record<string, unknown> | null;
  params: unknown;
  error: string | null;
  logPath: string | null;
  digest: string | null;
  progress: unknown;
  /** Where the attempt executed (`local`, `slurm`); null when it did not execute. */
  executor: string | null;
  /** The batch jobs it ran in, oldest first (a lost job resubmitted adds one). */
  jobs: StageJob[];
}

/** A batch job a stage's attempt ran in (`jobs` row). */
export interface StageJob {
  executor: string;
  /** The scheduler's job id (Slurm: `123`). */
  id: string;
  /** The scheduler's latest state (`PENDING`, `RUNNING`, `COMPLETED`, `OUT_OF_MEMORY`, ...). */
  state: string;
  reason: string | null;
  node: string | null;
  /** When the attempt took the job (submitted it, or re-attached to it). */
  since: number;
  updatedAt: number;
}

/** Where a stage's latest attempt executed, for `status --json`. */
export interface StageExecution {
  runId: string;
  /** `local` or `slurm`. */
  executor: string;
  /** The host of the run (the driver's, for a batch executor). */
  host: string;
  /** The attempt's latest batch job, when it ran in one. */
  job?: StageJob;
}

/** One state change (`events` row). */
export interface EventRecord {
  id: number;
  runId: string;
  stageId: string | null;
  state: string;
  at: number;
  /** The stage's reason now (null for run events). */
  reason: string | null;
}

/** Metric series of a stage: name to `[step, value]` pairs in step order. */
export type MetricSeries = Record<string, Array<[number, number]>>;

/** The columns of {@linkcode StageBrief}, for queries that leave the heavy ones out. */
export const BRIEF_COLUMNS =
  "stage_id, stage_name, seq, task, needs, state, reason, started_at, ended_at, out_path";

function parseJson(text: unknown, fallback: unknown): unknown {
  if (typeof text !== "string") return fallback;
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function stringOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** A `runs` row as a {@linkcode RunRecord}. */
export function toRun(row: Row): RunRecord {
  const argv = parseJson(row.argv, []);
  return {
    id: String(row.id),
    pipeline: String(row.pipeline),
    pipelineFile: String(row.pipeline_file),
    argv: Array.isArray(argv) ? argv.map(String) : [],
    state: String(row.state) as RunState,
    startedAt: Number(row.started_at),
    endedAt: numberOrNull(row.ended_at),
    heartbeatAt: Number(row.heartbeat_at),
    host: String(row.host),
    pid: Number(row.pid),
    stageCount: Number(row.stage_count),
    noop: row.noop === 1,
  };
}

/** A `stages` row (at least {@linkcode BRIEF_COLUMNS}) as a {@linkcode StageBrief}. */
export function toBrief(row: Row): StageBrief {
  const needs = parseJson(row.needs, []);
  return {
    id: String(row.stage_id),
    name: String(row.stage_name),
    seq: Number(row.seq),
    task: String(row.task),
    needs: Array.isArray(needs) ? needs.map(String) : [],
    state: String(row.state) as StageState,
    reason: String(row.reason),
    startedAt: numberOrNull(row.started_at),
    endedAt: numberOrNull(row.ended_at),
    outPath: stringOrNull(row.out_path),
  };
}

/** A whole `stages` row as a {@linkcode StageRecord}. */
export function toStage(row: Row): StageRecord {
  const matrix = parseJson(row.matrix, {});
  return {
    ...toBrief(row),
    runId: String(row.run_id),
    matrix: matrix && typeof matrix === "object" ? matrix as Record<string, unknown> : {},
    taskVersion: Number(row.task_version),
    key: stringOrNull(row.key),
    keyInputs: parseJson(row.key_inputs, null),
    facts: parseJson(row.facts ?? null, null) as Record<string, unknown> | null,
    params: parseJson(row.params, row.params ?? null),
    error: stringOrNull(row.error),
    logPath: stringOrNull(row.log_path),
    digest: stringOrNull(row.digest),
    progress: parseJson(row.progress, null),
    executor: stringOrNull(row.executor),
    jobs: [],
  };
}

/** A `jobs` row as a {@linkcode StageJob}. */
export function toJob(row: Row): StageJob {
  return {
    executor: String(row.executor),
    id: String(row.job_id),
    state: String(row.state),
    reason: stringOrNull(row.reason),
    node: stringOrNull(row.node),
    since: Number(row.since),
    updatedAt: Number(row.updated_at),
  };
}

/** An `events` row (with the stage's `reason` joined) as an {@linkcode EventRecord}. */
export function toEvent(row: Row): EventRecord {
  return {
    id: Number(row.id),
    runId: String(row.run_id),
    stageId: row.stage_id === null ? null : String(row.stage_id),
    state: String(row.state),
    at: Number(row.at),
    reason: row.reason === null || row.reason === undefined ? null : String(row.reason),
  };
}
