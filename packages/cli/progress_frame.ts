/**
 * The live block `run` redraws on a terminal, as a pure function of the
 * run's state and the time: a line with done/total stages and an ETA, then
 * one line per running stage with its bar, progress and ETA from the
 * task's progress reports. Tested by snapshot; the reporter only prints it.
 */
import type { Progress } from "@dropline/task";
import { formatDuration } from "@dropline/format";

/** A running stage: when it started and its first and latest progress reports. */
export interface RunningStage {
  id: string;
  since: number;
  /** The first report with a known total, and when it came (the ETA's origin). */
  first?: { at: number; done: number };
  /** The latest report and when it came. */
  latest?: { at: number; progress: Progress };
}

/** What the frame shows. */
export interface ProgressState {
  pipeline: string;
  /** Stages in this run (the selected ones with `--only`). */
  total: number;
  /** Finished stages by outcome. */
  ran: number;
  cached: number;
  failed: number;
  skipped: number;
  startedAt: number;
  /** Durations of the stages that ran to success, for the run's ETA. */
  ranMs: readonly number[];
  running: readonly RunningStage[];
}

/** Options of {@linkcode renderProgressFrame}. */
export interface FrameOptions {
  now: number;
  /** Terminal width: longer lines are cut with `…`. */
  columns: number;
  /** Running stages shown at most (the rest are counted). */
  maxStages?: number;
}

const BAR = 20;

/**
 * The frame's lines joined with newlines (no trailing newline).
 *
 * @example
 * ```ts
 * renderProgressFrame(state, { now: Date.now(), columns: Deno.consoleSize().columns });
 * ```
 */
export function renderProgressFrame(state: ProgressState, options: FrameOptions): string {
  const max = options.maxStages ?? 12;
  const lines = [headline(state, options.now)];
  const width = Math.max(0, ...state.running.slice(0, max).map((s) => [...s.id].length));
  for (const stage of state.running.slice(0, max)) {
    lines.push(stageLine(stage, width, options.now));
  }
  if (state.running.length > max) lines.push(`  … and ${state.running.length - max} more running`);
  return lines.map((line) => cut(line, options.columns)).join("\n");
}

function headline(state: ProgressState, now: number): string {
  const done = state.ran + state.cached + state.failed + state.skipped;
  const parts = [`${state.pipeline}  ${done}/${state.total} stages`];
  const detail = [
    state.ran && `${state.ran} ran`,
    state.cached && `${state.cached} cached`,
    state.failed && `${state.failed} failed`,
    state.skipped && `${state.skipped} skipped`,
    state.running.length && `${state.running.length} running`,
  ].filter(Boolean);
  if (detail.length) parts.push(`(${detail.join(", ")})`);
  parts.push(formatDuration(now - state.startedAt));
  const eta = runEta(state, now);
  if (eta !== null) parts.push(`ETA ~${formatDuration(eta)}`);
  return parts.join("  ");
}

function stageLine(stage: RunningStage, width: number, now: number): string {
  const id = stage.id + " ".repeat(width - [...stage.id].length);
  const elapsed = formatDuration(now - stage.since);
  const progress = stage.latest?.progress;
  if (!progress) return `  ⟳ ${id}  ${elapsed}`;
  const unit = progress.unit ? ` ${progress.unit}` : "";
  const note = progress.note ? `  ${progress.note}` : "";
  if (!progress.total) return `  ⟳ ${id}  ${progress.done}${unit}  ${elapsed}${note}`;
  const fraction = Math.min(1, Math.max(0, progress.done / progress.total));
  const filled = Math.round(fraction * BAR);
  const bar = `${"█".repeat(filled)}${"░".repeat(BAR - filled)}`;
  const pct = `${Math.floor(100 * fraction)}%`.padStart(4);
  const eta = stageEta(stage, now);
  const etaText = eta === null ? "" : `  ETA ${formatDuration(eta)}`;
  return `  ⟳ ${id}  ${bar} ${pct}  ${progress.done}/${progress.total}${unit}  ${elapsed}${etaText}${note}`;
}

/**
 * A running stage's remaining time, from the rate of its progress reports
 * since the first one with a total (start-up time is not counted as
 * progress); null until the rate is known.
 *
 * @example
 * ```ts
 * stageEta({ id: "a", since: 0, first: { at: 1000, done: 0 },
 *   latest: { at: 3000, progress: { done: 20, total: 100 } } }, 3000); // 8000
 * ```
 */
export function stageEta(stage: RunningStage, now: number): number | null {
  const { first, latest } = stage;
  const total = latest?.progress.total;
  if (!first || !latest || !total) return null;
  const done = latest.progress.done - first.done;
  const ms = latest.at - first.at;
  if (done <= 0 || ms <= 0) return null;
  const remaining = ((total - latest.progress.done) * ms) / done - (now - latest.at);
  return Math.max(0, remaining);
}

/**
 * The run's remaining time: stages still to run, at the mean duration of
 * the ones that ran, spread over the stages running at once, plus what the
 * running ones still need. Null until one stage ran. A rough guide (cached
 * stages and differing stage costs make it so), hence the `~`.
 */
export function runEta(state: ProgressState, now: number): number | null {
  if (state.ranMs.length === 0) return null;
  const mean = state.ranMs.reduce((a, b) => a + b, 0) / state.ranMs.length;
  const finished = state.ran + state.cached + state.failed + state.skipped;
  const waiting = Math.max(0, state.total - finished - state.running.length);
  const lanes = Math.max(1, state.running.length);
  const runningLeft = state.running.map((s) =>
    stageEta(s, now) ?? Math.max(0, mean - (now - s.since))
  );
  const current = runningLeft.length ? Math.max(...runningLeft) : 0;
  return (waiting * mean) / lanes + (waiting ? Math.min(...runningLeft, current) : current);
}

function cut(line: string, columns: number): string {
  const chars = [...line];
  return chars.length <= columns ? line : chars.slice(0, Math.max(1, columns - 1)).join("") + "…";
}
