/**
 * The run journal writer (SQLite, WAL). Runners write through a small
 * write-behind buffer flushed in one transaction every few dozen milliseconds,
 * so recording 10,000 cached stages costs one commit, not 10,000.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { openJournalDatabase } from "./open_journal.ts";
import type { RunState, StageState } from "./schema.ts";

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
}

const COLUMNS: Record<keyof StageUpdate, string> = {
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
};

/** Every column of a stage row, in insert order. */
const STAGE_COLUMNS = [
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
] as const;
type StageColumns = Partial<Record<typeof STAGE_COLUMNS[number], SQLInputValue>>;

const ROWS_PER_INSERT = 100;

/**
 * A runner's handle on the journal. Writes are buffered and flushed in one
 * transaction every 50 ms: a stage row not yet written absorbs its updates
 * (a no-op run of 10,000 stages inserts each row once, already final), later
 * updates of one row merge, and events and metrics go in multi-row inserts.
 */
export class Journal {
  readonly db: DatabaseSync;
  #unwrittenRows = new Map<string, StageColumns>();
  #updates = new Map<string, { runId: string; stageId: string; columns: StageColumns }>();
  #events: SQLInputValue[][] = [];
  #metrics: SQLInputValue[][] = [];
  #after: Array<() => void> = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #statements = new Map<string, StatementSync>();

  constructor(cacheDir: string) {
    this.db = openJournalDatabase(cacheDir, false);
  }

  /** Records a new run at once; its stage rows follow with the next flush. */
  startRun(
    run: {
      id: string;
      pipeline: string;
      file: string;
      argv: string[];
      host: string;
      stages: StageRow[];
    },
  ): void {
    const now = Date.now();
    this.#transaction(() => {
      this.#run(
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
      this.#run(
        "INSERT INTO events (run_id, stage_id, state, at) VALUES (?, NULL, 'running', ?)",
        run.id,
        now,
      );
    });
    for (const s of run.stages) {
      this.#unwrittenRows.set(rowKey(run.id, s.stageId), {
        run_id: run.id,
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
      });
    }
    this.#schedule();
  }

  /**
   * Marks runs on this host whose process died (kill -9, power loss) as
   * interrupted, with their running stages, so readers stop showing them live.
   */
  reapDeadRuns(host: string, pidAlive: (pid: number) => boolean): void {
    const running = this.db.prepare("SELECT id, pid FROM runs WHERE state = 'running' AND host = ?")
      .all(host) as { id: string; pid: number }[];
    const dead = running.filter((run) => !pidAlive(run.pid));
    if (dead.length === 0) return;
    const now = Date.now();
    this.#transaction(() => {
      for (const run of dead) {
        this.#run(
          "UPDATE runs SET state = 'interrupted', ended_at = heartbeat_at WHERE id = ?",
          run.id,
        );
        this.#run(
          "UPDATE stages SET state = 'interrupted', reason = 'the run died', ended_at = ? WHERE run_id = ? AND state = 'running'",
          now,
          run.id,
        );
        this.#run(
          "INSERT INTO events (run_id, stage_id, state, at) VALUES (?, NULL, 'interrupted', ?)",
          run.id,
          now,
        );
      }
    });
  }

  /** Queues a change of a stage's row (and an event when its state changes). */
  updateStage(runId: string, stageId: string, update: StageUpdate): void {
    const columns: StageColumns = {};
    for (const [field, value] of Object.entries(update)) {
      if (value !== undefined) {
        columns[COLUMNS[field as keyof StageUpdate] as keyof StageColumns] = value;
      }
    }
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
    if (update.state) this.#events.push([runId, stageId, update.state, Date.now()]);
    this.#schedule();
  }

  /** Queues metric rows from one metrics record. */
  addMetrics(runId: string, stageId: string, record: Record<string, number>): void {
    const at = Date.now();
    const step = record.step ?? 0;
    for (const [name, value] of Object.entries(record)) {
      if (name !== "step" && Number.isFinite(value)) {
        this.#metrics.push([runId, stageId, step, name, value, at]);
      }
    }
    this.#schedule();
  }

  /** Marks the run alive. */
  heartbeat(runId: string): void {
    this.#after.push(() =>
      this.#run("UPDATE runs SET heartbeat_at = ? WHERE id = ?", Date.now(), runId)
    );
    this.#schedule();
  }

  /** Records the run's end and flushes everything. */
  endRun(runId: string, state: RunState): void {
    const now = Date.now();
    this.#after.push(() => {
      this.#run(
        "UPDATE runs SET state = ?, ended_at = ?, heartbeat_at = ? WHERE id = ?",
        state,
        now,
        now,
        runId,
      );
      this.#run(
        "INSERT INTO events (run_id, stage_id, state, at) VALUES (?, NULL, ?, ?)",
        runId,
        state,
        now,
      );
    });
    this.flush();
  }

  /** Writes queued changes now, in one transaction. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = [...this.#unwrittenRows.values()];
    const updates = [...this.#updates.values()];
    const [events, metrics, after] = [this.#events, this.#metrics, this.#after];
    this.#unwrittenRows = new Map();
    this.#updates = new Map();
    [this.#events, this.#metrics, this.#after] = [[], [], []];
    if (rows.length + updates.length + events.length + metrics.length + after.length === 0) return;
    this.#transaction(() => {
      this.#insertMany(
        "stages",
        STAGE_COLUMNS,
        rows.map((row) => STAGE_COLUMNS.map((c) => row[c] ?? null)),
      );
      for (const { runId, stageId, columns } of updates) {
        const names = Object.keys(columns);
        this.#run(
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
      after.forEach((work) => work());
    });
  }

  close(): void {
    this.flush();
    this.db.close();
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => this.flush(), 50);
  }

  #insertMany(table: string, columns: readonly string[], rows: SQLInputValue[][]): void {
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const chunk = rows.slice(start, start + ROWS_PER_INSERT);
      const tuple = `(${columns.map(() => "?").join(", ")})`;
      this.#run(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${chunk.map(() => tuple).join(", ")}`,
        ...chunk.flat(),
      );
    }
  }

  #transaction(work: () => void): void {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      work();
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  #run(sql: string, ...values: SQLInputValue[]): void {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    statement.run(...values);
  }
}

function rowKey(runId: string, stageId: string): string {
  return `${runId}\0${stageId}`;
}
