/** Small display helpers shared by the pages (pure). */
import type { StageState } from "@dropline/engine";

/** Milliseconds between start and end (or now while still going), null when not started. */
export function elapsed(start: number | null, end: number | null, now: number): number | null {
  return start === null ? null : (end ?? now) - start;
}

/** "2026-11-23 17:53:00Z"; "-" when unknown. */
export function formatTime(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "-";
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/**
 * Display order of states, worst first: a group shows the first state any of
 * its members is in, and the table sorts by it.
 */
export const STATE_ORDER: readonly StageState[] = [
  "failed",
  "running",
  "interrupted",
  "pending",
  "skipped",
  "succeeded",
  "cached",
];

/** The state a group of stages is shown in. */
export function aggregateState(states: Iterable<StageState>): StageState {
  let best = STATE_ORDER.length - 1;
  for (const state of states) {
    const rank = STATE_ORDER.indexOf(state);
    if (rank >= 0 && rank < best) best = rank;
  }
  return STATE_ORDER[best] ?? "cached";
}

/** The URL path of a stage page. */
export function stageHref(runId: string, stageId: string): string {
  return `/runs/${encodeURIComponent(runId)}/stages/${encodeURIComponent(stageId)}`;
}

/** The URL path of a run page. */
export function runHref(runId: string): string {
  return `/runs/${encodeURIComponent(runId)}`;
}

/** A run's state as shown: `running` with a stopped heartbeat shows as `stale`. */
export function runStateLabel(
  run: { state: string; heartbeatAt: number },
  now: number,
  staleAfterMs: number,
): string {
  return run.state === "running" && now - run.heartbeatAt > staleAfterMs ? "stale" : run.state;
}
