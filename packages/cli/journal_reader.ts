/**
 * Opens the journal for reading, if a run ever wrote one.
 */
import type { DatabaseSync } from "node:sqlite";
import { existsSync } from "node:fs";
import { CacheLayout, openJournalDatabase } from "@dropline/engine";

/**
 * The journal of `cacheDir` opened read-only, or undefined when there is none.
 *
 * @example
 * ```ts
 * const db = openJournalReader("cache");
 * ```
 */
export function openJournalReader(cacheDir: string): DatabaseSync | undefined {
  if (!existsSync(new CacheLayout(cacheDir).journal)) return undefined;
  return openJournalDatabase(cacheDir, true);
}
