/**
 * The run journal writer (SQLite, WAL). Runners write through a small
 * write-behind buffer flushed in one transaction every few dozen milliseconds,
 * so recording 10,000 cached stages costs one commit, not 10,000.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { join } from "node:path";
import { JOURNAL_DDL, JOURNAL_SCHEMA_VERSION, type RunState, type StageState } from "./schema.ts";

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
};

/** Opens a journal database with the settings every process uses. */
export function openJournalDatabase(cacheDir: string, readOnly: boolean): DatabaseSync {
  const db = new DatabaseSync(join(cacheDir, "journal.db"), { readOnly });
  db.exec("PRAGMA busy_timeout = 10000");
  if (!readOnly) {
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
    db.exec(JOURNAL_DDL);
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)").run(
      String(JOURNAL_SCHEMA_VERSION),
    );
  }
  return db;
}

/** A runner's handle on the journal. */
export class Journal {
  readonly db: DatabaseSync;
  #pending: Array<() => void> = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #statements = new Map<string, StatementSync>();

  constructor(cacheDir: string) {
    this.db = openJournalDatabase(cacheDir, false);
  }

  /** Records a new run and its stages, immediately. */
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
      for (const s of run.stages) {
        this.#run(
          `INSERT INTO stages (run_id, stage_id, stage_name, seq, matrix, task, task_version, needs, params, state, reason, key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          run.id,
          s.stageId,
          s.stageName,
          s.seq,
          s.matrix,
          s.task,
          s.taskVersion,
          s.needs,
          s.params,
          s.state,
          s.reason,
          s.key ?? null,
        );
      }
      this.#run(
        "INSERT INTO events (run_id, stage_id, state, at) VALUES (?, NULL, 'running', ?)",
        run.id,
        now,
      );
    });
  }

  /**
   * Marks runs on this host whose process died (kill -9, power loss) as
   * interrupted, with their running stages, so readers stop showing them live.
   */
  reapDeadRuns(host: string, pidAlive: (pid: number) => boolean): void {
    const dead =
      (this.db.prepare("SELECT id, pid FROM runs WHERE state = 'running' AND host = ?").all(
        host,
      ) as {
        id: string;
        pid: number;
      }[]).filter((run) => !pidAlive(run.pid));
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
    const entries = Object.entries(update).filter(([, v]) => v !== undefined) as [
      keyof StageUpdate,
      SQLInputValue,
    ][];
    if (entries.length === 0) return;
    const sql = `UPDATE stages SET ${
      entries.map(([k]) => `${COLUMNS[k]} = ?`).join(", ")
    } WHERE run_id = ? AND stage_id = ?`;
    const values = entries.map(([, v]) => v);
    this.#queue(() => {
      this.#run(sql, ...values, runId, stageId);
      if (update.state) {
        this.#run(
          "INSERT INTO events (run_id, stage_id, state, at) VALUES (?, ?, ?, ?)",
          runId,
          stageId,
          update.state,
          Date.now(),
        );
      }
    });
  }

  /** Queues metric rows from one metrics record. */
  addMetrics(runId: string, stageId: string, record: Record<string, number>): void {
    const at = Date.now();
    const step = record.step ?? 0;
    this.#queue(() => {
      for (const [name, value] of Object.entries(record)) {
        if (name !== "step" && Number.isFinite(value)) {
          this.#run(
            "INSERT INTO metrics (run_id, stage_id, step, name, value, at) VALUES (?, ?, ?, ?, ?, ?)",
            runId,
            stageId,
            step,
            name,
            value,
            at,
          );
        }
      }
    });
  }

  /** Marks the run alive. */
  heartbeat(runId: string): void {
    this.#queue(() =>
      this.#run("UPDATE runs SET heartbeat_at = ? WHERE id = ?", Date.now(), runId)
    );
  }

  /** Records the run's end and flushes everything. */
  endRun(runId: string, state: RunState): void {
    const now = Date.now();
    this.#queue(() => {
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

  /** Writes queued changes now. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const work = this.#pending;
    this.#pending = [];
    if (work.length > 0) this.#transaction(() => work.forEach((w) => w()));
  }

  close(): void {
    this.flush();
    this.db.close();
  }

  #queue(work: () => void): void {
    this.#pending.push(work);
    this.#timer ??= setTimeout(() => this.flush(), 50);
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

/**
 * A new run id that sorts in start order: `20261123T175300.123Z-1a2b3c`.
 * Milliseconds matter: "the latest run" is found by id, and two runs often
 * start within one second.
 */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "");
  return `${stamp}-${crypto.randomUUID().slice(0, 6)}`;
}
