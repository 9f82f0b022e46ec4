/**
 * The journal's `objects` table as the store's {@link ObjectIndex}. Point
 * queries serve small pipelines; past a few hundred lookups the whole table
 * is read in one statement, which costs a tenth per row (a 10,000-stage
 * `status` spent a fifth of its time in point queries).
 */
import type { Manifest } from "../store/manifest.ts";
import type { ObjectIndex } from "../store/object_index.ts";
import type { Statements } from "./_statements.ts";

/** Point queries before the table is read whole. */
const BULK_AFTER = 256;

/**
 * An index over the `objects` table of `sql()` (undefined: no table yet).
 * `write`, when given, receives records and forgets (a writer queues them);
 * without it the index is read-only. Queries run inside `guard` (a damaged
 * journal becomes the journal's own error).
 *
 * @example
 * ```ts
 * const index = objectRows(() => statements, undefined, (work) => guarded(layout, work));
 * index.manifest("ab12..."); // Manifest | undefined
 * ```
 */
export function objectRows(
  sql: () => Statements | undefined,
  write: ((key: string, manifest: Manifest | null) => void) | undefined,
  guard: <T>(work: () => T) => T = (work) => work(),
): ObjectIndex {
  let lookups = 0;
  let all: Map<string, string> | undefined;
  /** Recorded or forgotten here, not necessarily written yet. */
  const known = new Map<string, Manifest | null>();
  const stored = (key: string): string | undefined => {
    if (all) return all.get(key);
    const db = sql();
    if (!db) return undefined;
    if (++lookups <= BULK_AFTER) {
      return db.get("SELECT manifest FROM objects WHERE key = ?", key)?.manifest as
        | string
        | undefined;
    }
    all = new Map(
      db.all("SELECT key, manifest FROM objects").map((row) => [
        String(row.key),
        String(row.manifest),
      ]),
    );
    return all.get(key);
  };
  return {
    manifest: (key) => {
      const mine = known.get(key);
      if (mine !== undefined) return mine ?? undefined;
      const text = guard(() => stored(key));
      return text === undefined ? undefined : JSON.parse(text) as Manifest;
    },
    record: (manifest) => {
      if (!write) return;
      known.set(manifest.key, manifest);
      write(manifest.key, manifest);
    },
    forget: (key) => {
      if (!write) return;
      known.set(key, null);
      write(key, null);
    },
  };
}
