/**
 * Read-only queries over the run journal (`<cache-dir>/journal.db`).
 *
 * The dashboard never writes: the database is opened with `readOnly`, every
 * query is a short indexed read, and statements are always run to completion
 * (`get`/`all`) so no read transaction lingers and blocks a checkpoint. A
 * journal that does not exist yet (or has no tables yet) reads as empty and is
 * opened again on the next call.
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { RunState, StageState } from "@dropline/engine";

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

type Row = Record<string, unknown>;

const BRIEF_COLUMNS =
  "stage_id, stage_name, seq, task, needs, state, reason, started_at, ended_at, out_path";

/**
 * Reads the run journal without ever writing to it.
 *
 * @example
 * ```ts
 * const journal = new JournalReader("cache/journal.db");
 * for (const run of journal.listRuns()) console.log(run.id, run.state);
 * journal.close();
 * ```
 */
export class JournalReader {
  #path: string;
  #db: DatabaseSync | null = null;
  #statements = new Map<string, StatementSync>();

  constructor(path: string) {
    this.#path = path;
  }

  /** The newest runs first, at most `limit`, older than run id `before` when given. */
  listRuns(options: { limit?: number; before?: string } = {}): RunRecord[] {
    const limit = options.limit ?? 100;
    const rows = options.before === undefined
      ? this.#all("SELECT * FROM runs ORDER BY id DESC LIMIT ?", limit)
      : this.#all(
        "SELECT * FROM runs WHERE id < ? ORDER BY id DESC LIMIT ?",
        options.before,
        limit,
      );
    return rows.map(toRun);
  }

  /** One run, or undefined when it does not exist. */
  getRun(runId: string): RunRecord | undefined {
    const row = this.#get("SELECT * FROM runs WHERE id = ?", runId);
    return row && toRun(row);
  }

  /** Stage counts of a run by state. */
  countStates(runId: string): StateCounts {
    const counts: StateCounts = {};
    const sql = "SELECT state, count(*) AS n FROM stages WHERE run_id = ? GROUP BY state";
    for (const row of this.#all(sql, runId)) counts[row.state as StageState] = Number(row.n);
    return counts;
  }

  /** Every stage of a run in topological order, without the heavy columns. */
  listStages(runId: string): StageBrief[] {
    const sql = `SELECT ${BRIEF_COLUMNS} FROM stages WHERE run_id = ? ORDER BY seq`;
    return this.#all(sql, runId).map(toBrief);
  }

  /** One stage of a run, or undefined when it does not exist. */
  getStage(runId: string, stageId: string): StageRecord | undefined {
    const row = this.#get("SELECT * FROM stages WHERE run_id = ? AND stage_id = ?", runId, stageId);
    if (row && row.key_inputs === null && typeof row.key === "string") {
      // A reused result's key inputs are recorded by the attempt that produced it.
      const producer = this.#get(
        "SELECT key_inputs FROM stages WHERE key = ? AND key_inputs IS NOT NULL " +
          "AND state NOT IN ('pending', 'cached', 'skipped') LIMIT 1",
        row.key,
      );
      if (producer) row.key_inputs = producer.key_inputs;
    }
    return row && toStage(row);
  }

  /** The same stage id in earlier and later runs of one pipeline, newest first. */
  stageHistory(pipeline: string, stageId: string, limit = 20): StageRecord[] {
    const sql = "SELECT s.* FROM stages s JOIN runs r ON r.id = s.run_id " +
      "WHERE s.stage_id = ? AND r.pipeline = ? ORDER BY s.run_id DESC LIMIT ?";
    return this.#all(sql, stageId, pipeline, limit).map(toStage);
  }

  /** Events of a run with an id above `afterId`, oldest first. */
  eventsAfter(runId: string, afterId: number, limit = 500): EventRecord[] {
    // The stage's current reason rides along, so live pages can show why it ran.
    const sql = `SELECT e.*, s.reason FROM events e
      LEFT JOIN stages s ON s.run_id = e.run_id AND s.stage_id = e.stage_id
      WHERE e.run_id = ? AND e.id > ? ORDER BY e.id LIMIT ?`;
    return this.#all(sql, runId, afterId, limit).map((row) => ({
      id: Number(row.id),
      runId: String(row.run_id),
      stageId: row.stage_id === null ? null : String(row.stage_id),
      state: String(row.state),
      at: Number(row.at),
      reason: row.reason === null || row.reason === undefined ? null : String(row.reason),
    }));
  }

  /** The id of the newest event of a run (0 when none). */
  lastEventId(runId: string): number {
    const row = this.#get("SELECT max(id) AS id FROM events WHERE run_id = ?", runId);
    return Number(row?.id ?? 0);
  }

  /**
   * A stage's metrics. A series longer than `maxPoints` is thinned to every
   * k-th step (plus its last), chosen over the covering index so that only the
   * kept rows are read: a long training run logs tens of thousands of values.
   */
  metrics(runId: string, stageId: string, maxPoints = 2000): MetricSeries {
    const extentSql = "SELECT name, count(*) AS n, min(step) AS first, max(step) AS last " +
      "FROM metrics WHERE run_id = ? AND stage_id = ? GROUP BY name ORDER BY name";
    const pointsSql = "SELECT step, value FROM metrics WHERE run_id = ? AND stage_id = ? " +
      "AND name = ? AND ((step - ?) % ? = 0 OR step = ?) ORDER BY step";
    const series: MetricSeries = {};
    for (const extent of this.#all(extentSql, runId, stageId)) {
      const [first, last, count] = [Number(extent.first), Number(extent.last), Number(extent.n)];
      const stride = count <= maxPoints ? 1 : Math.ceil((last - first + 1) / maxPoints);
      const name = String(extent.name);
      series[name] = this.#all(pointsSql, runId, stageId, name, first, stride, last)
        .map((row) => [Number(row.step), Number(row.value)]);
    }
    return series;
  }

  /** Closes the database (it is opened again on the next query). */
  close(): void {
    this.#statements.clear();
    this.#db?.close();
    this.#db = null;
  }

  #all(sql: string, ...args: Array<string | number>): Row[] {
    const statement = this.#statement(sql);
    return statement ? statement.all(...args) as Row[] : [];
  }

  #get(sql: string, ...args: Array<string | number>): Row | undefined {
    return this.#statement(sql)?.get(...args) as Row | undefined;
  }

  #statement(sql: string): StatementSync | undefined {
    const db = this.#open();
    if (!db) return undefined;
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #open(): DatabaseSync | null {
    if (this.#db) return this.#db;
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(this.#path, { readOnly: true });
    } catch {
      return null; // No journal yet: nothing has run in this cache dir.
    }
    // A runner may have created the file but not the tables yet.
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'events'").get()) {
      db.close();
      return null;
    }
    // Readers wait briefly instead of failing while a writer recovers the WAL.
    db.exec("PRAGMA busy_timeout = 2000");
    this.#db = db;
    return db;
  }
}

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

function toRun(row: Row): RunRecord {
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
  };
}

function toBrief(row: Row): StageBrief {
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

function toStage(row: Row): StageRecord {
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
  };
}
