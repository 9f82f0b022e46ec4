/**
 * Opening the run journal: one place sets the pragmas every process uses,
 * migrates older journals (writers only), and turns a damaged or unusable
 * journal into a {@linkcode CacheError} that says how to recover.
 */
import { DatabaseSync } from "node:sqlite";
import { assertCacheDir, CacheError } from "../store/cache_error.ts";
import type { CacheLayout } from "../store/cache_layout.ts";
import { existsSync } from "../store/store.ts";
import { journalVersion, migrateJournal } from "./migrations.ts";
import { JOURNAL_SCHEMA_VERSION } from "./schema.ts";

/**
 * Opens the journal for writing: creates it, sets WAL mode and migrates an
 * older schema. The cache directory must exist.
 *
 * @example
 * ```ts
 * const db = openJournalWriter(new CacheLayout("cache"));
 * ```
 */
export function openJournalWriter(layout: CacheLayout): DatabaseSync {
  assertCacheDir(layout.root);
  return guarded(layout, () => {
    const db = new DatabaseSync(layout.journal);
    try {
      db.exec("PRAGMA busy_timeout = 10000");
      db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
      db.exec("PRAGMA mmap_size = 268435456"); // see openJournalReadOnly
      assertKnownVersion(layout, migrateJournal(db));
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  });
}

/**
 * Opens the journal read-only, or returns undefined while there is none (or
 * a writer has created the file but not its tables yet). Never writes, never
 * migrates: readers understand every version from 1 on.
 *
 * @example
 * ```ts
 * const db = openJournalReadOnly(new CacheLayout("cache"));
 * ```
 */
export function openJournalReadOnly(layout: CacheLayout): DatabaseSync | undefined {
  assertCacheDir(layout.root);
  if (!existsSync(layout.journal)) return undefined;
  return guarded(layout, () => {
    const db = new DatabaseSync(layout.journal, { readOnly: true });
    try {
      // Readers wait briefly instead of failing while a writer recovers the WAL.
      // Pages through mmap, not a read call each: a planner's thousands of
      // point queries (the objects index) took a quarter of `status` otherwise.
      db.exec("PRAGMA busy_timeout = 2000; PRAGMA mmap_size = 268435456");
      const version = journalVersion(db);
      if (version === 0) {
        db.close();
        return undefined;
      }
      assertKnownVersion(layout, version);
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  });
}

/**
 * Runs journal work, turning SQLite's errors about the file (damaged, not a
 * database, disk full, unreadable) into a {@linkcode CacheError} that says
 * what happened and how to recover. Other errors pass through.
 *
 * @example
 * ```ts
 * const rows = guarded(layout, () => db.prepare("SELECT * FROM runs").all());
 * ```
 */
export function guarded<T>(layout: CacheLayout, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw journalError(layout, error);
  }
}

// SQLite's errors about the file or the disk, not the SQL: by primary result
// code, or by message where node:sqlite gives none (errors of `exec`).
const DAMAGED_CODES = new Set([11, 26]); // CORRUPT, NOTADB
const UNUSABLE_CODES = new Set([5, 8, 10, 13, 14, 23]); // BUSY, READONLY, IOERR, FULL, CANTOPEN, AUTH
const DAMAGED_MESSAGE = /file is not a database|database disk image is malformed/;
const UNUSABLE_MESSAGE =
  /database is locked|readonly database|disk I\/O error|database or disk is full|unable to open database file|not authorized/;

/** A {@linkcode CacheError} for an SQLite error about the journal's file, or `error` itself. */
export function journalError(layout: CacheLayout, error: unknown): unknown {
  if (error instanceof CacheError || !(error instanceof Error)) return error;
  const { code, errcode } = error as { code?: string; errcode?: number };
  if (code !== "ERR_SQLITE_ERROR") return error;
  const primary = (errcode ?? 0) & 0xff;
  if (DAMAGED_CODES.has(primary) || DAMAGED_MESSAGE.test(error.message)) {
    return damaged(layout, error.message);
  }
  if (UNUSABLE_CODES.has(primary) || UNUSABLE_MESSAGE.test(error.message)) {
    return new CacheError(`Cannot use the run journal "${layout.journal}": ${error.message}`);
  }
  return error;
}

function damaged(layout: CacheLayout, what: string): CacheError {
  const aside = `${layout.root}/journal.damaged`;
  return new CacheError(
    `The run journal "${layout.journal}" is damaged (${what}).\n` +
      `Stored results are intact. Move the journal aside and run again:\n` +
      `  mkdir -p "${aside}" && mv "${layout.journal}"* "${aside}/"\n` +
      `The next run reuses every stored result; the history of earlier runs ` +
      `(dashboard, why, gc's record of what they used) starts afresh.`,
  );
}

function assertKnownVersion(layout: CacheLayout, version: number): void {
  if (version > JOURNAL_SCHEMA_VERSION) {
    throw new CacheError(
      `The run journal "${layout.journal}" has schema version ${version}, written by a newer ` +
        `dropline; this one reads versions up to ${JOURNAL_SCHEMA_VERSION}: update dropline`,
    );
  }
}
