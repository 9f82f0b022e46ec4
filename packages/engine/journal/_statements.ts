/**
 * Prepared statements of one connection, prepared once per SQL text: the
 * journal runs the same few statements thousands of times per run.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";

/** A row as SQLite returns it. */
export type Row = Record<string, unknown>;

/** Runs SQL on one connection through a cache of prepared statements. */
export class Statements {
  readonly db: DatabaseSync;
  #cache = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** Every row of a query, run to completion (no read transaction lingers). */
  all(sql: string, ...args: SQLInputValue[]): Row[] {
    return this.#prepare(sql).all(...args) as Row[];
  }

  /** The first row of a query. */
  get(sql: string, ...args: SQLInputValue[]): Row | undefined {
    return this.#prepare(sql).get(...args) as Row | undefined;
  }

  /** Runs a statement that returns no rows. */
  run(sql: string, ...args: SQLInputValue[]): void {
    this.#prepare(sql).run(...args);
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#cache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#cache.set(sql, statement);
    }
    return statement;
  }
}
