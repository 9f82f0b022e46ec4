/**
 * What planning, `status`, `why` and `gc` read from the journal: the last
 * attempt of a stage, the last outcome of a key, what the latest runs
 * reference, and the stat cache of input files.
 */
import type { CachedStat, StatCache } from "../store/file_digests.ts";
import type { Statements } from "./_statements.ts";
import type { StageState } from "./schema.ts";

/** A past attempt of a stage, as `why` and `status` need it. */
export interface PastAttempt {
  runId: string;
  key: string | null;
  keyInputs: string | null;
  state: StageState;
  error: string | null;
}

/** What planning a pipeline reads from the journal (a reader's or a writer's). */
export interface JournalHistory {
  /** The latest attempt of `stageId` in pipeline `pipeline` that got as far as a key. */
  lastKeyedAttempt(pipeline: string, stageId: string): PastAttempt | undefined;
  /** Digests of local input files by path, size, mtime and inode. */
  readonly fileStats: StatCache;
}

/** Whether a `running` run's runner is alive: (host, pid, heartbeat time) to boolean. */
export type RunnerAlive = (host: string, pid: number, heartbeatAt: number) => boolean;

/**
 * The latest attempt of `stageId` in pipeline `pipeline` that got as far as a key.
 *
 * @example
 * ```ts
 * const last = lastKeyedAttempt(statements, "demo", "make");
 * ```
 */
export function lastKeyedAttempt(
  sql: Statements,
  pipeline: string,
  stageId: string,
): PastAttempt | undefined {
  return sql.get(
    `SELECT s.run_id AS runId, s.key, s.key_inputs AS keyInputs, s.state, s.error
     FROM stages s JOIN runs r ON r.id = s.run_id
     WHERE s.stage_id = ? AND r.pipeline = ? AND s.key_inputs IS NOT NULL
     ORDER BY s.run_id DESC LIMIT 1`,
    stageId,
    pipeline,
  ) as PastAttempt | undefined;
}

/** The latest recorded outcome of a key in any run (failed, interrupted, ...). */
export function lastOutcomeOfKey(sql: Statements, key: string): PastAttempt | undefined {
  return sql.get(
    `SELECT run_id AS runId, key, key_inputs AS keyInputs, state, error
     FROM stages WHERE key = ? AND state NOT IN ('pending', 'cached', 'skipped')
     ORDER BY run_id DESC LIMIT 1`,
    key,
  ) as PastAttempt | undefined;
}

/**
 * Keys referenced by the latest successful run of every pipeline, by runs
 * after it, and by runs still going on: what `gc` must keep. A run limited
 * with `--only` does not count as the latest success: it references only
 * part of the pipeline, and the rest is still current.
 */
export function keysToKeep(sql: Statements, isAlive: RunnerAlive): Set<string> {
  const runs = sql.all(
    `SELECT id FROM runs r WHERE started_at >= COALESCE(
       (SELECT MAX(started_at) FROM runs
        WHERE pipeline = r.pipeline AND state = 'succeeded' AND argv NOT LIKE '%"--only%'), 0)`,
  ) as { id: string }[];
  const running = (sql.all(
    `SELECT id, host, pid, heartbeat_at AS heartbeatAt FROM runs WHERE state = 'running'`,
  ) as { id: string; host: string; pid: number; heartbeatAt: number }[])
    .filter((r) => isAlive(r.host, r.pid, r.heartbeatAt));
  const keys = new Set<string>();
  for (const run of [...runs, ...running]) {
    const rows = sql.all("SELECT key FROM stages WHERE run_id = ? AND key IS NOT NULL", run.id);
    for (const row of rows) keys.add(String(row.key));
  }
  return keys;
}

/**
 * The journal's `file_stats` as a {@linkcode StatCache}; `put` writes only
 * when `writable` (readers never write).
 */
export function fileStatsOf(sql: () => Statements | undefined, writable: boolean): StatCache {
  return {
    get: (path) =>
      sql()?.get("SELECT size, mtime, ino, digest FROM file_stats WHERE path = ?", path) as
        | CachedStat
        | undefined,
    put: (path, stat) => {
      if (!writable) return;
      sql()?.run(
        "INSERT OR REPLACE INTO file_stats (path, size, mtime, ino, digest) VALUES (?, ?, ?, ?, ?)",
        path,
        stat.size,
        stat.mtime,
        stat.ino,
        stat.digest,
      );
    },
  };
}
