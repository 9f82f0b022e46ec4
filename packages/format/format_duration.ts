/** Durations for people: run summaries, stage times, download ETAs. */

/**
 * Milliseconds in the unit that reads best; `"-"` for an unknown or negative
 * duration (a stage that has not started).
 *
 * @example
 * ```ts
 * formatDuration(850.4); // "850 ms"
 * formatDuration(3_240); // "3.2 s"
 * formatDuration(245_000); // "4 min 5 s"
 * formatDuration(7_500_000); // "2 h 5 min"
 * formatDuration(null); // "-"
 * ```
 */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
