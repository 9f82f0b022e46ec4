/**
 * Keeps no-op runs from growing the journal: a run that reused every stage
 * records one row per stage and nothing else anyone needs once a later run
 * of the same pipeline references the same keys. Such a run is deleted, so
 * re-running an unchanged pipeline any number of times leaves one no-op run.
 *
 * Why nothing else changes: a no-op run's rows carry no key inputs and no
 * outcome of an attempt (what `why` and `status` read), and every key it
 * references is referenced by the later run, which `gc` keeps whenever it
 * would have kept the pruned one (the later run started after it).
 */
import type { Statements } from "./_statements.ts";

/**
 * Deletes the no-op runs of `runId`'s pipeline that started before it and
 * reference no key it does not. Returns their ids.
 *
 * @example
 * ```ts
 * pruneNoopRuns(statements, "20261123T175300.123Z-1a2b3c"); // ["20261123T174000.001Z-9f8e7d"]
 * ```
 */
export function pruneNoopRuns(sql: Statements, runId: string): string[] {
  const superseded = sql.all(
    `SELECT r.id FROM runs r
     WHERE r.noop = 1 AND r.id < ?1 AND r.pipeline = (SELECT pipeline FROM runs WHERE id = ?1)
       AND NOT EXISTS (
         SELECT 1 FROM stages s WHERE s.run_id = r.id AND s.key IS NOT NULL AND s.key NOT IN
           (SELECT key FROM stages WHERE run_id = ?1 AND key IS NOT NULL))`,
    runId,
  ).map((row) => String(row.id));
  for (const id of superseded) {
    for (const table of ["stages", "events", "metrics"]) {
      sql.run(`DELETE FROM ${table} WHERE run_id = ?`, id);
    }
    sql.run("DELETE FROM runs WHERE id = ?", id);
  }
  return superseded;
}
