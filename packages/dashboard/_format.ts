/** Small display helpers shared by the pages (pure). */
import type { StageState } from "@dropline/engine";

/** "1.2 s", "3 min 4 s", "2 h 5 min"; "-" when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Milliseconds between start and end (or now while still going), null when not started. */
export function elapsed(start: number | null, end: number | null, now: number): number | null {
  return start === null ? null : (end ?? now) - start;
}

/** "2026-11-23 17:53:00Z"; "-" when unknown. */
export function formatTime(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "-";
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/** "512 B", "1.5 KiB", "3.2 MiB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
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
