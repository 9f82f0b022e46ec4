/**
 * The run journal writer (SQLite, WAL). Runners write through a small
 * write-behind buffer flushed in one transaction every few dozen milliseconds,
 * so recording 10,000 cached stages costs one commit, not 10,000.
 */
import type { SQLInputValue } from "node:sqlite";
import type { StatCache } from "../store/file_digests.ts";
import type { Manifest } from "../store/manifest.ts";
import type { ObjectIndex } from "../store/object_index.ts";
import { objectRows } from "./object_rows.ts";
import { CacheLayout } from "../store/cache_layout.ts";
import { Statements } from "./_statements.ts";
import {
  insertColumns,
  STAGE_COLUMNS,
  type StageColumns,
  type StageRow,
  type StageUpdate,
  updateColumns,
} from "./_stage_columns.ts";
import { fileStatsOf, type JournalHistory, lastKeyedAttempt, type PastAttempt } from "./history.ts";
import { guarded, openJournalWriter } from "./open_journal.ts";
import { pruneNoopRuns } from "./prune_runs.ts";
import type { RunState } from "./schema.ts";

export type { StageRow, StageUpdate } from "./_stage_columns.ts";

/** A batch job's state as an executor reports it (`JobInfo` of the runner). */
export interface JobReport {
  executor: string;
  id: string;
  state: string;
  reason?: string;
  node?: string;
}

/** A new run, as {@linkcode Journal.startRun} records it. */
export interface NewRun {
  id: string;
  pipeline: string;
  file: string;
  argv: string[];
  host: string;
  stages: StageRow[];
}

/** Options of {@linkcode Journal}. */
export interface JournalOptions {
  /** The clock of every recorded time, in epoch ms (tests and fixtures pin it). */
  now?: () => number;
}

const ROWS_PER_INSERT = 100;

/** Slurm job states that can still change, as an SQL list. */
const LIVE_JOB_STATES = [
  "PENDING",
  "CONFIGURING",
  "RUNNING",
  "COMPLETING",
  "SUSPENDED",
  "REQUEUED",
  "RESIZING",
  "SIGNALING",
  "STAGE_OUT",
  "STOPPED",
].map((state) => `'${state}'`).join(", ");

/**
 * A runner's handle on the journal. Writes are buffered and flushed in one
 * transaction every 50 ms: a stage row not yet written absorbs its updates
 * (a no-op run of 10,000 stages inserts each row once, already final), later
 * updates of one row merge, and events and metrics go in multi-row inserts.
 *
 * @example
 * ```ts
 * const journal = new Journal("cache");
 * journal.startRun({ id, pipeline: "demo", file, argv: [], host: "h", stages });
 * journal.updateStage(id, "make", { state: "running", startedAt: Date.now() });
 * journal.endRun(id, "succeeded", { noop: false });
 * journal.close();
 * ```
 */
export class Journal implements JournalHistory {
  readonly layout: CacheLayout;
  /** The stat cache of input files, written through. */
  readonly fileStats: StatCache;
  #sql: Statements;
  #now: () => number;
  #unwrittenRows = new Map<string, StageColumns>();
  #updates = new Map<string, { runId: string; stageId: string; columns: StageColumns }>();
  #events: SQLInputValue[][] = [];
  #metrics: SQLInputValue[][] = [];
  #jobs = new Map<string, SQLInputValue[]>();
  /** Object manifests to record (null: to forget), by key. */
  #objects = new Map<string, Manifest | null>();
  #after: Array<() => void> = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #depth = 0;
  /** A failure of a timed flush, thrown by the next call that writes. */
  #failure: unknown;

  /** Opens (creating or migrating) the journal of a cache directory that exists. */
  constructor(cacheDir: string | CacheLayout, options: JournalOptions = {}) {
    this.layout = typeof cacheDir === "string" ? new CacheLayout(cacheDir) : cacheDir;
    this.#sql = new Statements(openJournalWriter(this.layout));
    this.#now = options.now ?? Date.now;
    this.fileStats = fileStatsOf(() => this.#sql, true);
  }

  lastKeyedAttempt(pipeline: string, stageId: string): PastAttempt | undefined {
    return guarded(this.layout, () => lastKeyedAttempt(this.#sql, pipeline, stageId));
  }

  /** The store's index of published objects (`objects`), written with the next flush. */
  readonly objects: ObjectIndex = objectRows(
    () => this.#sql,
    (key, manifest) => {
      this.#objects.set(key, manifest);
      this.#schedule();
    },
    (work) => guarded(this.layout, work),
  );

  /** Records a new run at once; its stage rows follow with the next flush. */
  startRun(run: NewRun): void {
    const now = this.#now();
    this.#transaction(() => {
      this.#sql.run(
        `INSERT INTO runs (id, pipeline, pipeline_file, argv, state, started_at, heartbeat_at, host, pid, stage_count)
         VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)`,
        run.id,
        run.pipeline,
        run.file,
        JSON.stringify(run.argv),
        now,
        now,
        run.host,
        Deno.pid,
        run.stages.length,
      );
      this.#runEvent(run.id, "running", now);
    });
    for (const stage of run.stages) {
      this.#unwrittenRows.set(rowKey(run.id, stage.stageId), insertColumns(run.id, stage));
    }
    this.#schedule();
  }

  /**
   * Marks runs on this host whose process died (kill -9, power loss) as
   * interrupted, with their running stages, so readers stop showing them live.
   */
  reapDeadRuns(host: string, pidAlive: (pid: number) => boolean): void {
    const running = guarded(
      this.layout,
      () => this.#sql.all("SELECT id, pid FROM runs WHERE state = 'running' AND host = ?", host),
    );
    const dead = running.filter((run) => !pidAlive(Number(run.pid)));
    if (dead.length === 0) return;
    const now = this.#now();
    this.#transaction(() => {
      for (const { id } of dead) {
        this.#sql.run(
          "UPDATE runs SET state = 'interrupted', ended_at = heartbeat_at WHERE id = ?",
          id as string,
        );
        this.#sql.run(
          "UPDATE stages SET state = 'interrupted', reason = 'the run died', ended_at = ? WHERE run_id = ? AND state = 'running'",
          now,
          id as string,
        );
        // Its jobs' last seen states are stale: no one follows them for this run any more.
        this.#sql.run(
          `UPDATE jobs SET reason = 'last seen ' || state || ' before the run died', state = 'UNKNOWN',
             updated_at = ? WHERE run_id = ? AND state IN (${LIVE_JOB_STATES})`,
          now,
          id as string,
        );
        this.#runEvent(id as string, "interrupted", now);
      }
    });
  }

  /** Queues a change of a stage's row (and an event when its state changes). */
  updateStage(runId: string, stageId: string, update: StageUpdate): void {
    const columns = updateColumns(update);
    const key = rowKey(runId, stageId);
    const unwritten = this.#unwrittenRows.get(key);
    if (unwritten) {
      // No reader has seen this row yet: it will appear already in this state.
      Object.assign(unwritten, columns);
      return this.#schedule();
    }
    const pending = this.#updates.get(key);
    if (pending) Object.assign(pending.columns, columns);
    else this.#updates.set(key, { runId, stageId, columns });
    if (update.state) this.#events.push([runId, stageId, update.state, this.#now()]);
    this.#schedule();
  }

  /** Queues metric rows from one metrics record. */
  addMetrics(runId: string, stageId: string, record: Record<string, number>): void {
    const at = this.#now();
    const step = record.step ?? 0;
    for (const [name, value] of Object.entries(record)) {
      if (name !== "step" && Number.isFinite(value)) {
        this.#metrics.push([runId, stageId, step, name, value, at]);
      }
    }
    this.#schedule();
  }

  /**
   * Queues the state of a batch job a stage's attempt runs in: the first
   * report of a job adds its row, later ones update its state, reason and node.
   */
  recordJob(runId: string, stageId: string, job: JobReport): void {
    const at = this.#now();
    const key = `${rowKey(runId, stageId)}\0${job.id}`;
    const since = this.#jobs.get(key)?.[7] ?? at;
    this.#jobs.set(key, [
      runId,
      stageId,
      job.id,
      job.executor,
      job.state,
      job.reason ?? null,
      job.node ?? null,
      since,
      at,
    ]);
    this.#schedule();
  }

  /** Marks the run alive. */
  heartbeat(runId: string): void {
    const at = this.#now();
    this.#after.push(() =>
      this.#sql.run("UPDATE runs SET heartbeat_at = ? WHERE id = ?", at, runId)
    );
    this.#schedule();
  }

  /**
   * Records the run's end, flushes everything, and prunes earlier no-op runs
   * this one supersedes (see `prune_runs.ts`). Returns the pruned run ids.
   */
  endRun(runId: string, state: RunState, outcome: { noop: boolean }): string[] {
    const now = this.#now();
    let pruned: string[] = [];
    this.#after.push(() => {
      this.#sql.run(
        "UPDATE runs SET state = ?, ended_at = ?, heartbeat_at = ?, noop = ? WHERE id = ?",
        state,
        now,
        now,
        outcome.noop ? 1 : 0,
        runId,
      );
      this.#runEvent(runId, state, now);
      pruned = pruneNoopRuns(this.#sql, runId);
    });
    this.flush();
    return pruned;
  }

  /**
   * Runs `work` inside one write transaction: everything it records becomes
   * visible to readers at once, when it ends.
   */
  async batch(work: () => Promise<void> | void): Promise<void> {
    this.#begin();
    try {
      await work();
      this.flush();
      this.#commit();
    } catch (error) {
      this.#rollback();
      throw error;
    }
  }

  /** Writes queued changes now, in one transaction. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#failure !== undefined) throw this.#failure;
    const rows = [...this.#unwrittenRows.values()];
    const updates = [...this.#updates.values()];
    const [events, metrics, after] = [this.#events, this.#metrics, this.#after];
    const jobs = [...this.#jobs.values()];
    const objects = [...this.#objects];
    this.#unwrittenRows = new Map();
    this.#updates = new Map();
    this.#jobs = new Map();
    this.#objects = new Map();
    [this.#events, this.#metrics, this.#after] = [[], [], []];
    const queued = rows.length + updates.length + events.length + metrics.length + jobs.length +
      objects.length;
    if (queued + after.length === 0) return;
    this.#transaction(() => {
      this.#insertMany(
        "stages",
        STAGE_COLUMNS,
        rows.map((row) => STAGE_COLUMNS.map((c) => row[c] ?? null)),
      );
      for (const { runId, stageId, columns } of updates) {
        const names = Object.keys(columns);
        this.#sql.run(
          `UPDATE stages SET ${
            names.map((n) => `${n} = ?`).join(", ")
          } WHERE run_id = ? AND stage_id = ?`,
          ...Object.values(columns) as SQLInputValue[],
          runId,
          stageId,
        );
      }
      this.#insertMany("events", ["run_id", "stage_id", "state", "at"], events);
      this.#insertMany("metrics", ["run_id", "stage_id", "step", "name", "value", "at"], metrics);
      const now = this.#now();
      for (const [key, manifest] of objects) {
        if (manifest === null) this.#sql.run("DELETE FROM objects WHERE key = ?", key);
        else {
          this.#sql.run(
            "INSERT OR REPLACE INTO objects (key, manifest, recorded_at) VALUES (?, ?, ?)",
            key,
            JSON.stringify(manifest),
            now,
          );
        }
      }
      for (const job of jobs) {
        this.#sql.run(
          `INSERT INTO jobs (run_id, stage_id, job_id, executor, state, reason, node, since, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (run_id, stage_id, job_id) DO UPDATE SET state = excluded.state,
             reason = excluded.reason, node = COALESCE(excluded.node, node),
             updated_at = excluded.updated_at`,
          ...job,
        );
      }
      after.forEach((work) => work());
    });
  }

  /** Flushes and closes the journal. */
  close(): void {
    try {
      if (this.#failure === undefined) this.flush();
    } finally {
      this.#sql.db.close();
    }
  }

  #runEvent(runId: string, state: string, at: number): void {
    this.#sql.run(
      "INSERT INTO events (run_id, stage_id, state, at) VALUES (?, NULL, ?, ?)",
      runId,
      state,
      at,
    );
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => {
      try {
        this.flush();
      } catch (error) {
        // Thrown from a timer it would end the process with a stack trace.
        this.#failure = error;
      }
    }, 50);
  }

  #insertMany(table: string, columns: readonly string[], rows: SQLInputValue[][]): void {
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const chunk = rows.slice(start, start + ROWS_PER_INSERT);
      const tuple = `(${columns.map(() => "?").join(", ")})`;
      this.#sql.run(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${chunk.map(() => tuple).join(", ")}`,
        ...chunk.flat(),
      );
    }
  }

  #transaction(work: () => void): void {
    this.#begin();
    try {
      guarded(this.layout, work);
      this.#commit();
    } catch (error) {
      this.#rollback();
      throw error;
    }
  }

  // Nested transactions (a flush inside `batch`) join the outermost one.
  #begin(): void {
    if (this.#depth === 0) guarded(this.layout, () => this.#sql.db.exec("BEGIN IMMEDIATE"));
    this.#depth++;
  }

  #commit(): void {
    if (this.#depth === 1) guarded(this.layout, () => this.#sql.db.exec("COMMIT"));
    this.#depth--;
  }

  #rollback(): void {
    if (--this.#depth === 0 && this.#sql.db.isTransaction) this.#sql.db.exec("ROLLBACK");
  }
}

function rowKey(runId: string, stageId: string): string {
  return `${runId}\0${stageId}`;
}
