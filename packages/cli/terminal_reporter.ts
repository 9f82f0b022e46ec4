/**
 * Shows a run in the terminal: finished stages as lines, and on a TTY a live
 * block of running stages with their progress and elapsed time, redrawn in
 * place. Without a TTY it prints plain lines only.
 */
import type { Progress } from "@dropline/task";
import type { RunReporter, StageOutcome } from "@dropline/engine";
import { formatDuration } from "@dropline/format";

const encoder = new TextEncoder();
const SYMBOL: Record<StageOutcome, string> = {
  succeeded: "✔",
  cached: "·",
  failed: "✖",
  skipped: "-",
  interrupted: "!",
};

/** Options of {@link TerminalReporter}. */
export interface TerminalReporterOptions {
  /** Redraw a live block (TTY) or print plain lines. */
  live: boolean;
  /** Print a line for each cached stage (noisy on large no-op runs). */
  showCached: boolean;
  write?: (text: string) => void;
}

/** A {@link RunReporter} for humans. */
export class TerminalReporter implements RunReporter {
  #running = new Map<string, { since: number; progress?: Progress }>();
  #drawn = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #options: TerminalReporterOptions;
  #write: (text: string) => void;

  constructor(options: TerminalReporterOptions) {
    this.#options = options;
    this.#write = options.write ?? ((text) => Deno.stdout.writeSync(encoder.encode(text)));
    if (options.live) this.#timer = setInterval(() => this.#redraw(), 200);
  }

  started(id: string): void {
    this.#running.set(id, { since: Date.now() });
    if (!this.#options.live) this.#line(`▶ ${id}`);
  }

  progress(id: string, progress: Progress): void {
    const entry = this.#running.get(id);
    if (entry) entry.progress = progress;
  }

  finished(
    id: string,
    outcome: StageOutcome,
    detail: { ms?: number; message?: string; logPath?: string },
  ): void {
    this.#running.delete(id);
    if (outcome === "cached" && !this.#options.showCached) return;
    const time = detail.ms === undefined ? "" : ` ${formatDuration(detail.ms)}`;
    const label = outcome === "cached" ? " (cached)" : "";
    const message = detail.message ? `: ${detail.message}` : "";
    const log = outcome === "failed" && detail.logPath ? `\n    log: ${detail.logPath}` : "";
    this.#line(`${SYMBOL[outcome]} ${id}${label}${time}${message}${log}`);
  }

  note(message: string): void {
    this.#line(`note: ${message}`);
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#clear();
  }

  #line(text: string): void {
    this.#clear();
    this.#write(text + "\n");
    if (this.#options.live) this.#redraw();
  }

  #clear(): void {
    if (this.#drawn > 0) this.#write(`\x1b[${this.#drawn}A\x1b[J`);
    this.#drawn = 0;
  }

  #redraw(): void {
    this.#clear();
    const lines = [...this.#running].slice(0, 12).map(([id, entry]) =>
      `  ⟳ ${id} ${formatDuration(Date.now() - entry.since)}${formatProgress(entry.progress)}`
    );
    if (this.#running.size > 12) lines.push(`  … and ${this.#running.size - 12} more running`);
    if (lines.length === 0) return;
    this.#write(lines.join("\n") + "\n");
    this.#drawn = lines.length;
  }
}

/**
 * Progress as a short suffix.
 *
 * @example
 * ```ts
 * formatProgress({ done: 5, total: 10, unit: "steps" }); // " [5/10 steps 50%]"
 * ```
 */
export function formatProgress(progress: Progress | undefined): string {
  if (!progress) return "";
  const unit = progress.unit ? ` ${progress.unit}` : "";
  const of = progress.total ? `/${progress.total}` : "";
  const pct = progress.total ? ` ${Math.floor((100 * progress.done) / progress.total)}%` : "";
  const note = progress.note ? ` ${progress.note}` : "";
  return ` [${progress.done}${of}${unit}${pct}]${note}`;
}
