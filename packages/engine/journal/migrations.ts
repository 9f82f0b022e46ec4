/**
 * Schema versions of the journal, in `PRAGMA user_version`. A writer brings
 * an older journal up to {@linkcode JOURNAL_SCHEMA_VERSION} step by step, in
 * one transaction, so two runners starting at once migrate it once. Readers
 * never migrate (they open read-only); they read every version from 1 on.
 *
 * To change the schema: change `JOURNAL_DDL` (what a new journal gets), add a
 * step here that turns the previous version into it, bump the version, and
 * extend `migrations_test.ts`.
 */
import type { DatabaseSync } from "node:sqlite";
import { JOURNAL_DDL, JOURNAL_SCHEMA_VERSION } from "./schema.ts";

/** One step: from version `to - 1` to `to`. */
interface Migration {
  to: number;
  /** What the step changes, for the log of whoever reads this file. */
  what: string;
  up(db: DatabaseSync): void;
}

const MIGRATIONS: readonly Migration[] = [
  {
    to: 2,
    what: "one shape for every version-1 journal: the facts column, the partial key index, " +
      "no meta table (the version lives in user_version)",
    up(db) {
      if (!columnsOf(db, "stages").includes("facts")) {
        db.exec("ALTER TABLE stages ADD COLUMN facts TEXT");
      }
      db.exec(`
        DROP INDEX IF EXISTS stages_by_key;
        DROP INDEX IF EXISTS stages_by_run_seq;
        DROP TABLE IF EXISTS meta;
        CREATE INDEX IF NOT EXISTS stages_by_key_executed ON stages (key)
          WHERE state NOT IN ('pending', 'cached', 'skipped');
        CREATE INDEX IF NOT EXISTS stages_by_stage_id ON stages (stage_id, run_id);
      `);
    },
  },
  {
    to: 3,
    what: "runs.noop marks runs that reused every stage, so they can be pruned and hidden",
    up(db) {
      db.exec(`
        ALTER TABLE runs ADD COLUMN noop INTEGER NOT NULL DEFAULT 0;
        UPDATE runs SET noop = 1 WHERE state = 'succeeded' AND NOT EXISTS
          (SELECT 1 FROM stages s WHERE s.run_id = runs.id AND s.state <> 'cached');
      `);
    },
  },
  {
    to: 4,
    what: "stages.executor and the jobs table: where each attempt executed, and its Slurm jobs " +
      "(moved out of version 3's facts; other attempts of older runs keep executor null)",
    up(db) {
      db.exec(`
        ALTER TABLE stages ADD COLUMN executor TEXT;
        CREATE TABLE jobs (
          run_id TEXT NOT NULL,
          stage_id TEXT NOT NULL,
          job_id TEXT NOT NULL,
          executor TEXT NOT NULL,
          state TEXT NOT NULL,
          reason TEXT,
          node TEXT,
          since REAL NOT NULL,
          updated_at REAL NOT NULL,
          PRIMARY KEY (run_id, stage_id, job_id)
        );
        -- Version 3 kept a Slurm attempt's latest job in its facts: move it here.
        INSERT INTO jobs (run_id, stage_id, job_id, executor, state, node, since, updated_at)
          SELECT run_id, stage_id, CAST(json_extract(facts, '$.job_id') AS TEXT),
            COALESCE(json_extract(facts, '$.executor'), 'slurm'),
            COALESCE(json_extract(facts, '$.job_state'), 'UNKNOWN'),
            json_extract(facts, '$.job_node'),
            COALESCE(started_at, ended_at, 0), COALESCE(ended_at, started_at, 0)
          FROM stages WHERE json_valid(facts) AND json_extract(facts, '$.job_id') IS NOT NULL;
        UPDATE stages SET executor = json_extract(facts, '$.executor'),
            facts = json_remove(facts, '$.executor', '$.job_id', '$.job_state', '$.job_node')
          WHERE json_valid(facts) AND json_extract(facts, '$.executor') IS NOT NULL;
      `);
    },
  },
  {
    to: 5,
    what: "the objects table: each published object's manifest, for stat-only no-op checks " +
      "(filled as objects are published or next verified)",
    up(db) {
      db.exec(`
        CREATE TABLE objects (
          key TEXT PRIMARY KEY,
          manifest TEXT NOT NULL,
          recorded_at REAL NOT NULL
        ) WITHOUT ROWID;
      `);
    },
  },
];

/**
 * The schema version of an open journal: 0 for an empty database, 1 for a
 * journal made before versions were kept in `user_version`.
 *
 * @example
 * ```ts
 * journalVersion(db); // 3
 * ```
 */
export function journalVersion(db: DatabaseSync): number {
  const version = Number(db.prepare("PRAGMA user_version").get()!.user_version);
  if (version > 0) return version;
  const legacy = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'")
    .get();
  return legacy ? 1 : 0;
}

/**
 * Creates the schema of an empty journal, or migrates an older one, inside
 * one write transaction. Returns the version found before; a journal of a
 * newer version than this code knows is left untouched.
 *
 * @example
 * ```ts
 * migrateJournal(new DatabaseSync("cache/journal.db")); // 1 (it was a version-1 journal)
 * ```
 */
export function migrateJournal(db: DatabaseSync): number {
  if (journalVersion(db) === JOURNAL_SCHEMA_VERSION) return JOURNAL_SCHEMA_VERSION;
  db.exec("BEGIN IMMEDIATE");
  try {
    // Read under the write lock: a concurrent writer may have just migrated it.
    const found = journalVersion(db);
    if (found > JOURNAL_SCHEMA_VERSION) {
      // Written by a newer dropline: leave it as it is; the caller refuses it.
      db.exec("ROLLBACK");
      return found;
    }
    if (found === 0) db.exec(JOURNAL_DDL);
    else for (const step of MIGRATIONS) if (step.to > found) step.up(db);
    if (found !== JOURNAL_SCHEMA_VERSION) {
      db.exec(`PRAGMA user_version = ${JOURNAL_SCHEMA_VERSION}`);
    }
    db.exec("COMMIT");
    return found;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

function columnsOf(db: DatabaseSync, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
}
