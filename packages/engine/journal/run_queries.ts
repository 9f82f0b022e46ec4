/**
 * The dashboard's reads: runs, their stages, events and metrics. Every query
 * is a short indexed read run to completion, so a reader never holds a read
 * transaction that would keep a runner's checkpoint waiting.
 */
import type { Statements } from "./_statements.ts";
import {
  BRIEF_COLUMNS,
  type EventRecord,
  type MetricSeries,
  type RunRecord,
  type StageBrief,
  type StageExecution,
  type StageJob,
  type StageRecord,
  type StateCounts,
  toBrief,
  toEvent,
  toJob,
  toRun,
  toStage,
} from "./records.ts";
import type { StageState } from "./schema.ts";

/** Which runs {@linkcode listRuns} returns. */
export interface ListRunsOptions {
  /** At most this many (default 100). */
  limit?: number;
  /** Only runs older than this run id (paging). */
  before?: string;
  /** Include runs that reused every stage (hidden by default). */
  noop?: boolean;
}

/** The newest runs first. `hasNoopColumn` is false for journals older than version 3. */
export function listRuns(
  sql: Statements,
  options: ListRunsOptions,
  hasNoopColumn: boolean,
): RunRecord[] {
  const where = [
    ...(options.noop || !hasNoopColumn ? [] : ["noop = 0"]),
    ...(options.before === undefined ? [] : ["id < ?"]),
  ];
  const text = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ` +
    "ORDER BY id DESC LIMIT ?";
  const args = options.before === undefined ? [] : [options.before];
  return sql.all(text, ...args, options.limit ?? 100).map(toRun);
}

/** How many runs reused every stage (0 for journals older than version 3). */
export function countNoopRuns(sql: Statements, hasNoopColumn: boolean): number {
  if (!hasNoopColumn) return 0;
  return Number(sql.get("SELECT count(*) AS n FROM runs WHERE noop = 1")?.n ?? 0);
}

/** One run, or undefined when it does not exist. */
export function getRun(sql: Statements, runId: string): RunRecord | undefined {
  const row = sql.get("SELECT * FROM runs WHERE id = ?", runId);
  return row && toRun(row);
}

/** Stage counts of a run by state. */
export function countStates(sql: Statements, runId: string): StateCounts {
  const counts: StateCounts = {};
  const text = "SELECT state, count(*) AS n FROM stages WHERE run_id = ? GROUP BY state";
  for (const row of sql.all(text, runId)) counts[row.state as StageState] = Number(row.n);
  return counts;
}

/** Every stage of a run in topological order, without the heavy columns. */
export function listStages(sql: Statements, runId: string): StageBrief[] {
  const text = `SELECT ${BRIEF_COLUMNS} FROM stages WHERE run_id = ? ORDER BY seq`;
  return sql.all(text, runId).map(toBrief);
}

/**
 * One stage of a run with its batch jobs (journals before version 4 have
 * none); a reused result gets the key inputs of the attempt that produced it.
 */
export function getStage(
  sql: Statements,
  runId: string,
  stageId: string,
  hasJobs: boolean,
): StageRecord | undefined {
  const row = sql.get("SELECT * FROM stages WHERE run_id = ? AND stage_id = ?", runId, stageId);
  if (row && row.key_inputs === null && typeof row.key === "string") {
    const producer = sql.get(
      "SELECT key_inputs FROM stages WHERE key = ? AND key_inputs IS NOT NULL " +
        "AND state NOT IN ('pending', 'cached', 'skipped') LIMIT 1",
      row.key,
    );
    if (producer) row.key_inputs = producer.key_inputs;
  }
  if (!row) return undefined;
  const stage = toStage(row);
  if (hasJobs) stage.jobs = stageJobs(sql, runId, stageId);
  return stage;
}

/** The batch jobs of one stage's attempt, oldest first. */
function stageJobs(sql: Statements, runId: string, stageId: string): StageJob[] {
  const text = "SELECT * FROM jobs WHERE run_id = ? AND stage_id = ? ORDER BY since, rowid";
  return sql.all(text, runId, stageId).map(toJob);
}

/**
 * Where the latest attempt of `stageId` that executed (with `key` when given)
 * ran, and its latest job: the attempt that produced a stored result, one
 * that failed, or one still queued or running.
 */
export function lastExecution(
  sql: Statements,
  stageId: string,
  key: string | null,
): StageExecution | undefined {
  const row = sql.get(
    "SELECT s.run_id, s.executor, r.host FROM stages s JOIN runs r ON r.id = s.run_id " +
      "WHERE s.stage_id = ? AND s.executor IS NOT NULL AND (? IS NULL OR s.key = ?) " +
      "ORDER BY s.run_id DESC LIMIT 1",
    stageId,
    key,
    key,
  );
  if (!row) return undefined;
  const runId = String(row.run_id);
  const job = stageJobs(sql, runId, stageId).at(-1);
  return { runId, executor: String(row.executor), host: String(row.host), ...(job ? { job } : {}) };
}

/** The same stage id in earlier and later runs of one pipeline, newest first. */
export function stageHistory(
  sql: Statements,
  pipeline: string,
  stageId: string,
  limit: number,
): StageRecord[] {
  const text = "SELECT s.* FROM stages s JOIN runs r ON r.id = s.run_id " +
    "WHERE s.stage_id = ? AND r.pipeline = ? ORDER BY s.run_id DESC LIMIT ?";
  return sql.all(text, stageId, pipeline, limit).map(toStage);
}

/** Events of a run with an id above `afterId`, oldest first, with the stage's reason now. */
export function eventsAfter(
  sql: Statements,
  runId: string,
  afterId: number,
  limit: number,
): EventRecord[] {
  const text = `SELECT e.*, s.reason FROM events e
    LEFT JOIN stages s ON s.run_id = e.run_id AND s.stage_id = e.stage_id
    WHERE e.run_id = ? AND e.id > ? ORDER BY e.id LIMIT ?`;
  return sql.all(text, runId, afterId, limit).map(toEvent);
}

/** The id of the newest event of a run (0 when none). */
export function lastEventId(sql: Statements, runId: string): number {
  return Number(sql.get("SELECT max(id) AS id FROM events WHERE run_id = ?", runId)?.id ?? 0);
}

/**
 * A stage's metrics. A series longer than `maxPoints` is thinned to every
 * k-th step (plus its last), chosen over the covering index so that only the
 * kept rows are read: a long training run logs tens of thousands of values.
 */
export function metrics(
  sql: Statements,
  runId: string,
  stageId: string,
  maxPoints: number,
): MetricSeries {
  const extentSql = "SELECT name, count(*) AS n, min(step) AS first, max(step) AS last " +
    "FROM metrics WHERE run_id = ? AND stage_id = ? GROUP BY name ORDER BY name";
  const pointsSql = "SELECT step, value FROM metrics WHERE run_id = ? AND stage_id = ? " +
    "AND name = ? AND ((step - ?) % ? = 0 OR step = ?) ORDER BY step";
  const series: MetricSeries = {};
  for (const extent of sql.all(extentSql, runId, stageId)) {
    const [first, last, count] = [Number(extent.first), Number(extent.last), Number(extent.n)];
    const stride = count <= maxPoints ? 1 : Math.ceil((last - first + 1) / maxPoints);
    const name = String(extent.name);
    series[name] = sql.all(pointsSql, runId, stageId, name, first, stride, last)
      .map((row) => [Number(row.step), Number(row.value)]);
  }
  return series;
}
