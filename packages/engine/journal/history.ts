/**
 * Read-side queries the CLI needs: the last attempt of a stage, the last
 * outcome of a key, and what the latest successful runs reference.
 */
import type { DatabaseSync } from "node:sqlite";
import type { StageState } from "./schema.ts";

/** A past attempt of a stage, as `why` and `status` need it. */
export interface PastAttempt {
  runId: string;
  key: string | null;
  keyInputs: string | null;
  state: StageState;
  error: string | null;
}

/**
 * The latest attempt of `stageId` in pipeline `pipeline` that got as far as a key.
 *
 * @example
 * ```ts
 * const last = lastKeyedAttempt(db, "demo", "make");
 * ```
 */
export function lastKeyedAttempt(
  db: DatabaseSync,
  pipeline: string,
  stageId: string,
): PastAttempt | undefined {
  const row = db.prepare(
    `SELECT s.run_id AS runId, s.key, s.key_inputs AS keyInputs, s.state, s.error
     FROM stages s JOIN runs r ON r.id = s.run_id
     WHERE s.stage_id = ? AND r.pipeline = ? AND s.key_inputs IS NOT NULL
     ORDER BY s.run_id DESC LIMIT 1`,
  ).get(stageId, pipeline);
  return row as PastAttempt | undefined;
}

/** The latest recorded outcome of a key in any run (failed, interrupted, ...). */
export function lastOutcomeOfKey(db: DatabaseSync, key: string): PastAttempt | undefined {
  const row = db.prepare(
    `SELECT run_id AS runId, key, key_inputs AS keyInputs, state, error
     FROM stages WHERE key = ? AND state NOT IN ('pending', 'cached', 'skipped')
     ORDER BY run_id DESC LIMIT 1`,
  ).get(key);
  return row as PastAttempt | undefined;
}

/**
 * Keys referenced by the latest successful run of every pipeline, by runs
 * after it, and by runs still going on: what `gc` must keep. A run limited
 * with `--only` does not count as the latest success: it references only
 * part of the pipeline, and the rest is still current.
 */
export function keysToKeep(
  db: DatabaseSync,
  isAlive: (host: string, pid: number, heartbeatAt: number) => boolean,
): Set<string> {
  const runs = db.prepare(
    `SELECT id FROM runs r WHERE started_at >= COALESCE(
       (SELECT MAX(started_at) FROM runs
        WHERE pipeline = r.pipeline AND state = 'succeeded' AND argv NOT LIKE '%"--only%'), 0)`,
  ).all() as { id: string }[];
  const running =
    (db.prepare(`SELECT id, host, pid, heartbeat_at FROM runs WHERE state = 'running'`).all() as {
      id: string;
      host: string;
      pid: number;
      heartbeat_at: number;
    }[]).filter((r) => isAlive(r.host, r.pid, r.heartbeat_at));
  const keys = new Set<string>();
  const select = db.prepare(`SELECT key FROM stages WHERE run_id = ? AND key IS NOT NULL`);
  for (const run of [...runs, ...running]) {
    for (const row of select.all(run.id) as { key: string }[]) keys.add(row.key);
  }
  return keys;
}
