/**
 * What the executor tells the person watching a run. The terminal view and
 * tests implement it; the journal is written separately.
 */
import type { Progress } from "@dropline/task";

/** How a stage ended in this run. */
export type StageOutcome = "succeeded" | "cached" | "failed" | "skipped" | "interrupted";

/** Receives run events as they happen. */
export interface RunReporter {
  started(id: string): void;
  progress(id: string, progress: Progress): void;
  finished(
    id: string,
    outcome: StageOutcome,
    detail: { ms?: number; message?: string; logPath?: string },
  ): void;
  /** A notice that is not about one stage's outcome (a corrupted object, a lock wait). */
  note(message: string): void;
  close(): void;
}

/** A reporter that ignores everything. */
export const silentReporter: RunReporter = {
  started() {},
  progress() {},
  finished() {},
  note() {},
  close() {},
};
