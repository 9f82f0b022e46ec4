/**
 * Shows a run in the terminal: finished stages as lines (`[3/110] ✔ id 4.1 s`),
 * and on a TTY a live block redrawn in place below them (see
 * `progress_frame.ts`: done/total, ETA, a bar per running stage). Without a
 * TTY it prints plain lines only; quiet, only notes.
 */
import type { Progress } from "@dropline/task";
import type { RunReporter, StageOutcome } from "@dropline/engine/run";
import { formatDuration } from "@dropline/format";
import { type ProgressState, renderProgressFrame, type RunningStage } from "./progress_frame.ts";

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
  /** No stage lines and no live block: only notes (the caller prints the summary). */
  quiet?: boolean;
  /** The pipeline's name, for the live block. */
  pipeline?: string;
  /** Stages in the run: finished lines then count `[done/total]`. */
  total?: number;
  write?: (text: string) => void;
  /** Terminal width (default: the console's, else 100). */
  columns?: () => number;
  now?: () => number;
}

/** A {@link RunReporter} for humans. */
export class TerminalReporter implements RunReporter {
  #running = new Map<string, RunningStage>();
  #state: Omit<ProgressState, "running">;
  #ranMs: number[] = [];
  #slowest: Array<[id: string, ms: number]> = [];
  #drawn = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #pending = "";
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #options: TerminalReporterOptions;
  #write: (text: string) => void;
  #now: () => number;

  constructor(options: TerminalReporterOptions) {
    this.#options = options;
    this.#write = options.write ??
      (options.live ? (text) => writeAll(encoder.encode(text)) : this.#buffered.bind(this));
    this.#now = options.now ?? Date.now;
    this.#state = {
      pipeline: options.pipeline ?? "run",
      total: options.total ?? 0,
      ran: 0,
      cached: 0,
      failed: 0,
      skipped: 0,
      startedAt: this.#now(),
      ranMs: this.#ranMs,
    };
    if (options.live && !options.quiet) this.#timer = setInterval(() => this.#redraw(), 200);
  }

  started(id: string): void {
    this.#running.set(id, { id, since: this.#now() });
    if (!this.#options.live && !this.#options.quiet) this.#line(`▶ ${id}`);
  }

  progress(id: string, progress: Progress): void {
    const entry = this.#running.get(id);
    if (!entry) return;
    const at = this.#now();
    if (!entry.first && progress.total) entry.first = { at, done: progress.done };
    entry.latest = { at, progress };
  }

  finished(
    id: string,
    outcome: StageOutcome,
    detail: { ms?: number; message?: string; logPath?: string },
  ): void {
    this.#running.delete(id);
    this.#count(outcome, detail.ms);
    if (outcome === "succeeded" && detail.ms !== undefined) this.#slowest.push([id, detail.ms]);
    if (this.#options.quiet) return;
    if (outcome === "cached" && !this.#options.showCached) return;
    const time = detail.ms === undefined ? "" : ` ${formatDuration(detail.ms)}`;
    const label = outcome === "cached" ? " (cached)" : "";
    const message = detail.message ? `: ${detail.message}` : "";
    const log = outcome === "failed" && detail.logPath ? `\n    log: ${detail.logPath}` : "";
    this.#line(`${this.#counter()}${SYMBOL[outcome]} ${id}${label}${time}${message}${log}`);
  }

  note(message: string): void {
    this.#line(`note: ${message}`);
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clear();
    this.flush();
  }

  /**
   * The summary's second line: the stages that took longest to run (up to
   * three), or "" when fewer than two ran.
   *
   * @example
   * ```ts
   * reporter.slowestLine(); // "slowest: train[p=0.9] 41.2 s, train[p=0.5] 40.8 s, data 2.1 s"
   * ```
   */
  slowestLine(): string {
    if (this.#slowest.length < 2) return "";
    const top = [...this.#slowest].sort((a, b) => b[1] - a[1]).slice(0, 3);
    return `slowest: ${top.map(([id, ms]) => `${id} ${formatDuration(ms)}`).join(", ")}`;
  }

  /** The live block as it would be drawn now. */
  frame(): string {
    const columns = this.#options.columns?.() ?? consoleColumns();
    return renderProgressFrame({ ...this.#state, running: [...this.#running.values()] }, {
      now: this.#now(),
      columns,
    });
  }

  #count(outcome: StageOutcome, ms: number | undefined): void {
    if (outcome === "succeeded") {
      this.#state.ran++;
      if (ms !== undefined) this.#ranMs.push(ms);
    } else if (outcome === "cached") this.#state.cached++;
    else if (outcome === "failed") this.#state.failed++;
    else this.#state.skipped++;
  }

  #counter(): string {
    const { total, ran, cached, failed, skipped } = this.#state;
    return total ? `[${ran + cached + failed + skipped}/${total}] ` : "";
  }

  #line(text: string): void {
    this.#clear();
    this.#write(text + "\n");
    if (this.#timer !== undefined) this.#redraw();
  }

  /**
   * Plain lines (a pipe or a file) go out at most every 100 ms: a write per
   * line was a measurable share of a run of 1,000 trivial stages.
   */
  #buffered(text: string): void {
    this.#pending += text;
    if (this.#pending.length > 16_384) return this.flush();
    if (this.#flushTimer !== undefined) return;
    this.#flushTimer = setTimeout(() => this.flush(), 100);
    Deno.unrefTimer(this.#flushTimer);
  }

  /** Writes buffered plain lines now (before anything else is printed). */
  flush(): void {
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#pending === "") return;
    writeAll(encoder.encode(this.#pending));
    this.#pending = "";
  }

  #clear(): void {
    if (this.#drawn > 0) this.#write(`\x1b[${this.#drawn}A\x1b[J`);
    this.#drawn = 0;
  }

  #redraw(): void {
    this.#clear();
    const frame = this.frame();
    this.#write(frame + "\n");
    this.#drawn = frame.split("\n").length;
  }
}

function consoleColumns(): number {
  try {
    // A pseudo-terminal without a size reports 0 columns.
    return Deno.consoleSize().columns || 100;
  } catch {
    return 100;
  }
}

function writeAll(bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
}
