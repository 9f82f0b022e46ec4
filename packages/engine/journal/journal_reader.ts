/**
 * The journal's read side, for `status`, `why`, `gc` and the dashboard. It
 * opens the journal read-only on first use and never writes: watching a run
 * never blocks it. A journal that does not exist yet reads as empty and is
 * looked for again on the next call; a damaged one throws a `CacheError`
 * that says how to recover.
 */
import type { StatCache } from "../store/file_digests.ts";
import type { ObjectIndex } from "../store/object_index.ts";
import { objectRows } from "./object_rows.ts";
import { CacheLayout } from "../store/cache_layout.ts";
import { Statements } from "./_statements.ts";
import {
  fileStatsOf,
  type JournalHistory,
  keysToKeep,
  lastKeyedAttempt,
  lastOutcomeOfKey,
  type PastAttempt,
  type RunnerAlive,
} from "./history.ts";
import { journalVersion } from "./migrations.ts";
import { guarded, openJournalReadOnly } from "./open_journal.ts";
import type {
  EventRecord,
  MetricSeries,
  RunRecord,
  StageBrief,
  StageExecution,
  StageRecord,
  StateCounts,
} from "./records.ts";
import * as q from "./run_queries.ts";

/**
 * Reads the run journal of a cache directory without ever writing to it.
 *
 * @example
 * ```ts
 * const journal = new JournalReader("cache");
 * for (const run of journal.listRuns()) console.log(run.id, run.state);
 * journal.close();
 * ```
 */
export class JournalReader implements JournalHistory {
  readonly layout: CacheLayout;
  /** The stat cache of input files, read-only. */
  readonly fileStats: StatCache;
  /** The store's index of published objects, read-only (empty before version 5). */
  readonly objects: ObjectIndex;
  #sql: Statements | undefined;
  #version = 0;

  constructor(cacheDir: string | CacheLayout) {
    this.layout = typeof cacheDir === "string" ? new CacheLayout(cacheDir) : cacheDir;
    this.fileStats = fileStatsOf(() => this.#open(), false);
    this.objects = objectRows(
      () => {
        const sql = this.#open();
        return sql && this.#version >= 5 ? sql : undefined;
      },
      undefined,
      (work) => guarded(this.layout, work),
    );
  }

  /**
   * Opens the journal of a cache directory now rather than on first use, so
   * that a damaged journal is reported before any other work.
   *
   * @example
   * ```ts
   * const journal = JournalReader.open("cache"); // throws a CacheError when damaged
   * ```
   */
  static open(cacheDir: string | CacheLayout): JournalReader {
    const reader = new JournalReader(cacheDir);
    reader.#open();
    return reader;
  }

  /** Whether the journal exists (some run has written it). */
  get exists(): boolean {
    return this.#open() !== undefined;
  }

  lastKeyedAttempt(pipeline: string, stageId: string): PastAttempt | undefined {
    return this.#read((sql) => lastKeyedAttempt(sql, pipeline, stageId), undefined);
  }

  /** The latest recorded outcome of a key in any run (failed, interrupted, ...). */
  lastOutcomeOfKey(key: string): PastAttempt | undefined {
    return this.#read((sql) => lastOutcomeOfKey(sql, key), undefined);
  }

  /** What `gc` must keep: keys of the latest successful runs, later runs and live runs. */
  keysToKeep(isAlive: RunnerAlive): Set<string> {
    return this.#read((sql) => keysToKeep(sql, isAlive), new Set());
  }

  /** The newest runs first; runs that reused every stage only when `noop` is set. */
  listRuns(options: q.ListRunsOptions = {}): RunRecord[] {
    return this.#read((sql) => q.listRuns(sql, options, this.#version >= 3), []);
  }

  /** How many runs reused every stage (what {@linkcode listRuns} hides by default). */
  countNoopRuns(): number {
    return this.#read((sql) => q.countNoopRuns(sql, this.#version >= 3), 0);
  }

  /** One run, or undefined when it does not exist. */
  getRun(runId: string): RunRecord | undefined {
    return this.#read((sql) => q.getRun(sql, runId), undefined);
  }

  /** Stage counts of a run by state. */
  countStates(runId: string): StateCounts {
    return this.#read((sql) => q.countStates(sql, runId), {});
  }

  /** Every stage of a run in topological order, without the heavy columns. */
  listStages(runId: string): StageBrief[] {
    return this.#read((sql) => q.listStages(sql, runId), []);
  }

  /** One stage of a run with its batch jobs, or undefined when it does not exist. */
  getStage(runId: string, stageId: string): StageRecord | undefined {
    return this.#read((sql) => q.getStage(sql, runId, stageId, this.#version >= 4), undefined);
  }

  /**
   * Where the latest attempt of a stage (with `key`, when known) executed:
   * its run, executor and latest batch job. Undefined before version 4.
   */
  lastExecution(stageId: string, key: string | null): StageExecution | undefined {
    return this.#read(
      (sql) => this.#version >= 4 ? q.lastExecution(sql, stageId, key) : undefined,
      undefined,
    );
  }

  /** The same stage id in earlier and later runs of one pipeline, newest first. */
  stageHistory(pipeline: string, stageId: string, limit = 20): StageRecord[] {
    return this.#read((sql) => q.stageHistory(sql, pipeline, stageId, limit), []);
  }

  /** Events of a run with an id above `afterId`, oldest first. */
  eventsAfter(runId: string, afterId: number, limit = 500): EventRecord[] {
    return this.#read((sql) => q.eventsAfter(sql, runId, afterId, limit), []);
  }

  /** The id of the newest event of a run (0 when none). */
  lastEventId(runId: string): number {
    return this.#read((sql) => q.lastEventId(sql, runId), 0);
  }

  /** A stage's metric series, each thinned to about `maxPoints` points. */
  metrics(runId: string, stageId: string, maxPoints = 2000): MetricSeries {
    return this.#read((sql) => q.metrics(sql, runId, stageId, maxPoints), {});
  }

  /** Closes the database (it is opened again on the next query). */
  close(): void {
    this.#sql?.db.close();
    this.#sql = undefined;
  }

  #read<T>(work: (sql: Statements) => T, empty: T): T {
    const sql = this.#open();
    return sql ? guarded(this.layout, () => work(sql)) : empty;
  }

  #open(): Statements | undefined {
    if (this.#sql) return this.#sql;
    const db = openJournalReadOnly(this.layout);
    if (!db) return undefined;
    this.#version = journalVersion(db);
    this.#sql = new Statements(db);
    return this.#sql;
  }
}
