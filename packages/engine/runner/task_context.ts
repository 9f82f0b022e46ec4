/**
 * Builds the context a task's `run` receives, the same way in the scheduler's
 * process and in a child task host.
 */
import type { Progress, TaskContext } from "@dropline/task";
import { appendEvent } from "../metrics/metrics_export.ts";

/** Everything needed to run one attempt of a task, as plain data. */
export interface TaskJob {
  module: string;
  taskName: string;
  stageId: string;
  key: string;
  params: unknown;
  upstream: Record<string, string>;
  outDir: string;
  checkpointDir: string;
  logPath: string;
  metricsPath: string;
  /** The TensorBoard event file the metrics are also appended to. */
  eventsPath: string;
  cwd: string;
}

/** Where a running task's progress and metrics go. */
export interface TaskEventSink {
  progress(p: Progress): void;
  metric(record: Record<string, number>): void;
  facts(facts: Record<string, string | number | boolean>): void;
}

/**
 * A task context writing logs and metrics files and forwarding events.
 *
 * @example
 * ```ts
 * const ctx = createTaskContext(job, sink, controller.signal);
 * await task.run(ctx);
 * ```
 */
export function createTaskContext(
  job: TaskJob,
  sink: TaskEventSink,
  signal: AbortSignal,
): TaskContext<unknown> {
  const line = (level: string, message: string) =>
    Deno.writeTextFileSync(job.logPath, `[${new Date().toISOString()}] ${level} ${message}\n`, {
      append: true,
    });
  return {
    stageId: job.stageId,
    key: job.key,
    params: job.params,
    upstream: job.upstream,
    outDir: job.outDir,
    checkpointDir: job.checkpointDir,
    logPath: job.logPath,
    workDir: job.cwd,
    log: { info: (m) => line("info", m), warn: (m) => line("warn", m) },
    progress: (p) => sink.progress(p),
    metrics: (record) => {
      Deno.writeTextFileSync(job.metricsPath, JSON.stringify(record) + "\n", { append: true });
      appendEvent(job.eventsPath, record, Date.now() / 1000);
      sink.metric(record);
    },
    record: (facts) => sink.facts(facts),
    signal,
  };
}
