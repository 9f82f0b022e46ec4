/** What every route of the dashboard reads from: resolved once by `createApp`. */
import type { HeadlineSource, JournalReader } from "@dropline/engine";

export interface DashboardContext {
  /** Absolute cache directory (holds journal.db, objects/, logs/). */
  cacheDir: string;
  journal: JournalReader;
  /** Tasks by name, for the headline metrics of sweep tables. */
  tasks: HeadlineSource;
  now(): number;
  /** How often the event stream polls the journal, in ms. */
  pollMs: number;
}

/** A `running` run whose heartbeat is older than this is shown as stale (its runner died). */
export const STALE_AFTER_MS = 60_000;
