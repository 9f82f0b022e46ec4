/**
 * The execution seam: where a keyed stage that must run is executed. The run
 * loop (`run_pipeline.ts`) keys stages, reuses stored results and records the
 * journal; an executor only turns a {@link StageWork} into an
 * {@link ExecutionResult}. `local` runs it in this machine, `slurm` as a Slurm
 * job whose node runs the same `executeStage`; a dry run asks an executor to
 * describe what it would do instead.
 */
import type { Task } from "@dropline/task";
import type { ExecutorName } from "../pipeline/definition.ts";
import type { Resources } from "../pipeline/resources.ts";
import type { ExecutionResult, StageHooks, StageWork, TaskSlots } from "./execute_stage.ts";

/** A stage handed to an executor. */
export interface ExecutionRequest {
  work: StageWork;
  task: Task;
  resources: Resources;
  /** The run's `--jobs` limit: one slot is held while the stage's task (or job) runs. */
  slots: TaskSlots;
}

/** The batch job an attempt runs in, as the journal and `status --json` show it. */
export interface JobInfo {
  executor: ExecutorName;
  /** The scheduler's job id (Slurm: `123`). */
  id: string;
  /** The scheduler's state (Slurm: `PENDING`, `RUNNING`, `COMPLETED`, ...). */
  state: string;
  /** Node the job runs on, once known. */
  node?: string;
  /** The scheduler's reason for the state (Slurm: `Resources`, `TimeLimit`, ...). */
  reason?: string;
}

/** What an executor reports about one stage besides its task's events. */
export interface ExecutionHooks extends StageHooks {
  /** The stage's job was submitted, attached to, or changed state. */
  onJob?(job: JobInfo): void;
}

/** Runs stages somewhere. */
export interface Executor {
  readonly name: ExecutorName;
  /** Stages in flight at once when `--jobs` is not given. */
  readonly defaultJobs: number;
  /** Executes one stage; resolves when its result is published or it failed. */
  execute(
    request: ExecutionRequest,
    hooks: ExecutionHooks,
    signal: AbortSignal,
  ): Promise<ExecutionResult>;
  /**
   * The run starts nothing more (fail-fast after a failure): stages queued
   * but not started settle as `skipped` with `reason`; running ones finish.
   */
  stop?(reason: string): void;
  /** Says where and how a stage would run (for `--dry-run`). */
  describe(stage: Pick<ExecutionRequest, "task" | "resources">): string;
  /** Waits for anything still outstanding (cancelled jobs leaving the queue). */
  close(): Promise<void>;
}
