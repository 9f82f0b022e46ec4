/**
 * Follows a run's Slurm jobs until every stage in them is settled: one
 * `squeue` query per poll (with backoff) for all of them, `sacct` for jobs
 * that left the queue unseen (when accounting is on), and each stage's
 * exit-status file as the source of truth, waited for a while after its job
 * ended because a shared filesystem may show it late.
 */
import type { Resources } from "../../pipeline/resources.ts";
import type { ExecutionResult } from "../execute_stage.ts";
import type { ExecutionHooks, ExecutionRequest } from "../executor.ts";
import { JobCancellation } from "./job_cancel.ts";
import type { EventsReader } from "./job_files.ts";
import { jobPaths, readJson, type StageStatus } from "./job_files.ts";
import { isRetryable, jobFailure, jobPhase } from "./job_state.ts";
import { JobTracker, nextPollMs, type SlurmTimings, type TrackedJob } from "./job_tracker.ts";
import type { SlurmClient } from "./slurm_client.ts";
import type { JobObservation } from "./squeue.ts";

/** A stage handed to the Slurm executor, until it is settled. */
export interface MonitoredStage {
  request: ExecutionRequest;
  hooks: ExecutionHooks;
  resolve(result: ExecutionResult): void;
  /** Jobs submitted for it so far. */
  submissions: number;
  done: boolean;
  job?: {
    jobId: string;
    jobDir: string;
    index: number;
    events: EventsReader;
    started: boolean;
    /** Submitted by this run, or by a dead one: Ctrl-C cancels it. */
    ours: boolean;
    /** The run stopped waiting for it after Ctrl-C: its key record stays, for a re-run. */
    abandoned?: boolean;
  };
}

/** What the monitor needs from the executor. */
export interface MonitorDeps {
  client: SlurmClient;
  timings: SlurmTimings;
  retries: number;
  note: (message: string) => void;
  /** Queues a stage again after its job was lost. */
  resubmit: (stage: MonitoredStage) => void;
  /** Called once for every settled stage. */
  finished: (stage: MonitoredStage, result: ExecutionResult) => void;
}

/** Polls the run's jobs and settles their stages. */
export class JobMonitor {
  cancelling = false;
  #deps: MonitorDeps;
  #tracker: JobTracker;
  #stages = new Map<string, MonitoredStage>();
  /** Hooks of every stage of a followed job, settled or not: they get its end state too. */
  #reporters = new Map<string, Set<ExecutionHooks>>();
  #cancellable = new Set<string>();
  /** Jobs that left a trace in the cache (an event or a status): the node sees it. */
  #alive = new Set<string>();
  #accounting: "unknown" | "on" | "off" = "unknown";
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #lastError = "";
  #cancellation: JobCancellation;
  /** Ends the wait for jobs after Ctrl-C (`cancelWaitMs`). */
  #giveUpTimer: ReturnType<typeof setTimeout> | undefined;
  #gaveUp = Promise.withResolvers<void>();
  #gaveUpAlready = false;

  constructor(deps: MonitorDeps) {
    this.#deps = deps;
    this.#tracker = new JobTracker(deps.timings);
    this.#cancellation = new JobCancellation(deps.client, deps.note);
  }

  /** Follows `stage.job` (set by the caller); `observed` when its state is known. */
  track(
    stage: MonitoredStage,
    name: string,
    resources: Resources,
    observed?: JobObservation,
  ): void {
    const job = stage.job!;
    this.#stages.set(stage.request.work.stageId, stage);
    if (job.ours) this.#cancellable.add(job.jobId);
    this.#tracker.track(
      { jobId: job.jobId, name, resources, stages: [stage.request.work.stageId] },
      Date.now(),
      observed,
    );
    const reporters = this.#reporters.get(job.jobId) ?? new Set();
    this.#reporters.set(job.jobId, reporters.add(stage.hooks));
    stage.hooks.onJob?.(info(job.jobId, observed ?? { jobId: job.jobId, state: "PENDING" }));
    this.#loop ??= this.#run();
  }

  /** Settles a stage once. */
  finish(stage: MonitoredStage, result: ExecutionResult): void {
    if (stage.done) return;
    stage.done = true;
    const id = stage.request.work.stageId;
    if (stage.job) this.#tracker.resolve(stage.job.jobId, id, Date.now());
    this.#stages.delete(id);
    this.#deps.finished(stage, result);
    stage.resolve(result);
  }

  /**
   * Ctrl-C: cancels the jobs this run owns and stops waiting for the others.
   * Waits for its own at most `cancelWaitMs` (the controller may not answer).
   */
  async cancel(): Promise<void> {
    this.cancelling = true;
    const ids: string[] = [];
    for (const job of [...this.#tracker.jobs()]) {
      if (this.#cancellable.has(job.jobId)) ids.push(job.jobId);
      else {
        // Not ours to cancel: it runs on, and the run does not wait for it.
        this.#settleAll(job, { outcome: "interrupted" });
        this.#tracker.drop(job.jobId);
      }
    }
    if (this.#tracker.size > 0 && !this.#gaveUpAlready) {
      this.#giveUpTimer ??= setTimeout(() => this.#giveUp(), this.#deps.timings.cancelWaitMs);
    }
    await this.#cancellation.cancel(ids);
    // A job submitted after the wait was over is not waited for either.
    if (this.#gaveUpAlready) this.#giveUp();
    this.#wake?.();
  }

  /** The wait after Ctrl-C is over: the jobs still followed are left to Slurm (or the user). */
  #giveUp(): void {
    this.#gaveUpAlready = true;
    const unsettled: string[] = [];
    for (const job of [...this.#tracker.jobs()]) {
      for (const id of [...job.stages]) {
        const stage = this.#stages.get(id);
        if (!stage || (this.#collect(stage), stage.done)) continue;
        if (!unsettled.includes(job.jobId)) unsettled.push(job.jobId);
        stage.job!.abandoned = true;
        this.finish(stage, { outcome: "interrupted" });
      }
      this.#tracker.drop(job.jobId);
    }
    this.#cancellation.abandoned(unsettled, this.#deps.timings.cancelWaitMs)
      .forEach((message) => this.#deps.note(message));
    this.#gaveUp.resolve();
    this.#wake?.();
  }

  /**
   * Cancels this run's jobs that have not started, settling their stages as
   * skipped; jobs already running finish.
   */
  async dropQueued(reason: string): Promise<void> {
    const ids: string[] = [];
    for (const job of [...this.#tracker.jobs()]) {
      const queued = !job.observed || jobPhase(job.observed.state) === "queued";
      if (!queued || !this.#cancellable.has(job.jobId) || this.#alive.has(job.jobId)) continue;
      ids.push(job.jobId);
      this.#settleAll(job, { outcome: "skipped", reason });
    }
    if (ids.length === 0) return;
    this.#deps.note(`cancelling queued Slurm jobs ${ids.join(", ")}: ${reason}`);
    try {
      await this.#deps.client.scancel(ids);
    } catch (error) {
      this.#deps.note(`Cannot cancel Slurm jobs ${ids.join(", ")}: ${(error as Error).message}`);
    }
  }

  /** Resolves when no job is followed any more. */
  async idle(): Promise<void> {
    // After giving up, a poll may still wait for a controller that does not answer.
    while (this.#loop && !this.#gaveUpAlready) {
      await Promise.race([this.#loop, this.#gaveUp.promise]);
    }
  }

  async #run(): Promise<void> {
    const limits = { minMs: this.#deps.timings.pollMinMs, maxMs: this.#deps.timings.pollMaxMs };
    let delay = limits.minMs;
    while (this.#tracker.size > 0) {
      await this.#sleep(delay);
      const news = await this.#poll();
      delay = nextPollMs(delay, news || this.cancelling, limits);
    }
    clearTimeout(this.#giveUpTimer);
    this.#loop = undefined;
  }

  async #poll(): Promise<boolean> {
    if (this.cancelling) await this.#cancellation.retry();
    const listing = await this.#list();
    let news = false;
    if (listing) {
      const { changed, vanished } = this.#tracker.observe(listing, Date.now());
      changed.forEach((job) => this.#report(job));
      if (vanished.length > 0) await this.#account(vanished);
      news = changed.length > 0 || vanished.length > 0;
    }
    // The exit-status files are the source of truth, whether squeue answered or not.
    for (const job of [...this.#tracker.jobs()]) {
      const queued = !job.vanished && (!job.observed || jobPhase(job.observed.state) === "queued");
      if (queued && listing) continue;
      for (const id of [...job.stages]) {
        const stage = this.#stages.get(id);
        if (stage && this.#collect(stage)) news = true;
      }
    }
    for (const job of this.#tracker.expire(Date.now())) {
      this.#settle(job);
      news = true;
    }
    for (const jobId of this.#reporters.keys()) {
      if (!this.#tracker.get(jobId)) this.#reporters.delete(jobId);
    }
    return news;
  }

  /** The run's jobs as squeue lists them, or undefined when it failed. */
  async #list(): Promise<JobObservation[] | undefined> {
    try {
      return await this.#deps.client.squeue(this.#tracker.names());
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.#lastError) this.#deps.note(`squeue failed, retrying: ${message}`);
      this.#lastError = message;
      return undefined;
    }
  }

  /** Tells every stage of a job its new state. */
  #report(job: TrackedJob): void {
    const update = info(job.jobId, job.observed!);
    this.#reporters.get(job.jobId)?.forEach((hooks) => hooks.onJob?.(update));
  }

  /** Asks accounting how jobs that left the queue unseen ended. */
  async #account(jobs: TrackedJob[]): Promise<void> {
    if (this.#accounting === "off") return;
    try {
      const answer = await this.#deps.client.sacct(jobs.map((job) => job.jobId));
      if (answer === "unavailable") {
        this.#accounting = "off";
        this.#deps.note(
          "Slurm accounting is disabled: jobs that left the queue are judged by their exit-status files",
        );
        return;
      }
      this.#accounting = "on";
      for (const observation of answer) {
        this.#tracker.settle(observation);
        const job = this.#tracker.get(observation.jobId);
        if (job) this.#report(job);
      }
    } catch (error) {
      this.#deps.note(`sacct failed: ${(error as Error).message}`);
    }
  }

  /** Reads a stage's new events and its exit status; true when it started or ended. */
  #collect(stage: MonitoredStage, expired?: TrackedJob): boolean {
    const job = stage.job!;
    const { hooks } = stage;
    let news = false;
    for (const event of job.events.read()) {
      this.#alive.add(job.jobId);
      if (event.type === "started") news = this.#started(stage) || news;
      else if (event.type === "progress") hooks.onProgress(event.progress);
      else if (event.type === "metric") hooks.onMetric(event.record);
      else if (event.type === "facts") hooks.onFacts(event.facts);
      else this.#deps.note(event.message);
    }
    const status = readJson<StageStatus>(jobPaths.status(job.jobDir, job.index));
    if (!status) return news;
    this.#alive.add(job.jobId);
    const { jobId: _, node: _node, ...result } = status;
    // The job never started it: an earlier stage of the job failed (fail-fast).
    if (result.outcome === "skipped") {
      this.finish(stage, { outcome: "skipped", reason: result.reason });
      return true;
    }
    news = this.#started(stage) || news;
    if (result.outcome === "failed" || result.outcome === "interrupted") {
      if (this.cancelling) return this.#end(stage, { outcome: "interrupted" });
      const tracked = expired ?? this.#tracker.get(job.jobId);
      const ended = tracked?.vanished ||
        (tracked?.observed !== undefined && jobPhase(tracked.observed.state) === "ended");
      // A task killed by the out-of-memory killer or the time limit only sees a
      // signal: the job's end state says why. Interrupted stages and those of a
      // lost job are settled with that state (or retried) once the wait is over.
      if (!ended) return news;
      const state = tracked?.observed?.state;
      if (result.outcome === "interrupted" || (state && isRetryable(state))) return news;
      if (state && !["COMPLETED", "FAILED"].includes(state) && !tracked.vanished) {
        const failure = jobFailure({ ...tracked.observed!, resources: tracked.resources });
        return this.#end(stage, {
          ...result,
          message: `${failure}; the task said: ${result.message}`,
        });
      }
    }
    return this.#end(stage, result);
  }

  #end(stage: MonitoredStage, result: ExecutionResult): true {
    this.#started(stage);
    this.finish(stage, result);
    return true;
  }

  #started(stage: MonitoredStage): boolean {
    if (stage.job!.started) return false;
    stage.job!.started = true;
    stage.hooks.onStart(stage.request.work.logPath);
    return true;
  }

  /** The job ended and the wait for exit-status files is over. */
  #settle(job: TrackedJob): void {
    const state = job.vanished ? undefined : job.observed?.state;
    for (const id of [...job.stages]) {
      const stage = this.#stages.get(id);
      if (!stage || (this.#collect(stage, job), stage.done)) continue;
      if (this.cancelling) {
        this.finish(stage, { outcome: "interrupted" });
      } else if (state && isRetryable(state) && stage.submissions <= this.#deps.retries) {
        this.#deps.note(
          `${jobFailure({ ...job.observed!, resources: job.resources })}: resubmitting "${id}" ` +
            `(retry ${stage.submissions} of ${this.#deps.retries})`,
        );
        this.#stages.delete(id);
        delete stage.job;
        this.#deps.resubmit(stage);
      } else {
        this.finish(stage, { outcome: "failed", message: this.#why(job, stage, state) });
      }
    }
  }

  #settleAll(job: TrackedJob, result: ExecutionResult): void {
    for (const id of [...job.stages]) {
      const stage = this.#stages.get(id);
      if (stage) this.finish(stage, result);
    }
  }

  #why(job: TrackedJob, stage: MonitoredStage, state: string | undefined): string {
    const { jobId, jobDir, index } = stage.job!;
    const output = jobPaths.output(jobDir);
    const tail = outputTail(output);
    if (state === undefined) {
      return `Slurm job ${jobId} left the queue without writing the exit status of this stage ` +
        `(${jobPaths.status(jobDir, index)})${tail}`;
    }
    if (!this.#alive.has(jobId) && (state === "FAILED" || state === "COMPLETED")) {
      return `Slurm job ${jobId} ended ${state}${
        job.observed?.node ? ` on ${job.observed.node}` : ""
      } ` +
        `without starting its stages: the node could not read the job's files or start Deno. ` +
        `The cache directory must be on a filesystem shared with the compute nodes ` +
        `(Slurm's output: ${output})${tail}`;
    }
    if (state === "COMPLETED") {
      return `Slurm job ${jobId} completed, but this stage's exit status did not appear in ` +
        `${jobPaths.status(jobDir, index)} within ${
          Math.round(this.#deps.timings.exitFileWaitMs / 1000)
        } s${tail}`;
    }
    const failure = jobFailure({ ...job.observed!, resources: job.resources });
    const retried = isRetryable(state)
      ? this.#deps.retries > 0
        ? ` (after ${this.#deps.retries} ${this.#deps.retries === 1 ? "retry" : "retries"})`
        : " (`--retries N` resubmits such jobs)"
      : "";
    const before = stage.job!.started ? "" : ", before this stage started";
    return `${failure}${retried}${before}${tail}`;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

function info(jobId: string, observed: JobObservation) {
  return {
    executor: "slurm" as const,
    id: jobId,
    state: observed.state,
    ...(observed.node ? { node: observed.node } : {}),
    ...(observed.reason ? { reason: observed.reason } : {}),
  };
}

/** The last lines Slurm wrote for the job (time limit, oom-kill notices), when readable here. */
function outputTail(path: string): string {
  try {
    const lines = Deno.readTextFileSync(path).trimEnd().split("\n").filter((l) => l !== "");
    return lines.length ? `:\n  ${lines.slice(-3).join("\n  ")}` : "";
  } catch {
    return "";
  }
}
