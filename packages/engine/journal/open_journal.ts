/**
 * Opening the run journal: one place sets the pragmas every process uses and
 * brings older journals up to the current columns.
 */
import { DatabaseSync } from "node:sqlite";
import { CacheLayout } from "../store/cache_layout.ts";
import { JOURNAL_DDL, JOURNAL_SCHEMA_VERSION } from "./schema.ts";

/**
 * Opens `<cacheDir>/journal.db`: read-only for readers, or creating the schema for writers.
 *
 * @example
 * ```ts
 * const db = openJournalDatabase("cache", true);
 * ```
 */
export function openJournalDatabase(cacheDir: string, readOnly: boolean): DatabaseSync {
  const db = new DatabaseSync(new CacheLayout(cacheDir).journal, { readOnly });
  db.exec("PRAGMA busy_timeout = 10000");
  if (!readOnly) {
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
    db.exec(JOURNAL_DDL);
    // Replaced by the partial stages_by_key_executed.
    db.exec("DROP INDEX IF EXISTS stages_by_key");
    addMissingColumns(db);
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)").run(
      String(JOURNAL_SCHEMA_VERSION),
    );
  }
  return db;
}

/** Columns added since schema version 1 was first written, for journals made before them. */
function addMissingColumns(db: DatabaseSync): void {
  const columns = (db.prepare("PRAGMA table_info(stages)").all() as { name: string }[])
    .map((c) => c.name);
  if (!columns.includes("facts")) db.exec("ALTER TABLE stages ADD COLUMN facts TEXT");
}
