/**
 * The Slurm executor: stages handed to it are collected for a moment, packed
 * into jobs ({@link groupStages}) and submitted with `sbatch`; one `squeue`
 * query per poll (with backoff) follows every job of the run, and each
 * stage's exit-status file in the shared cache says how it ended. A stage
 * whose key a job of an earlier, dead run is still computing is re-attached
 * to that job instead of being submitted again.
 */
import { fileUrlPath } from "../../util/posix_path.ts";
import type { ExecutionResult } from "../execute_stage.ts";
import type { ExecutionHooks, ExecutionRequest, Executor } from "../executor.ts";
import { failFastReason } from "../scheduler.ts";
import type { Store } from "../../store/store.ts";
import { pidAlive } from "../../store/stage_lock.ts";
import { groupStages, jobResources } from "./grouping.ts";
import {
  EventsReader,
  jobPaths,
  type JobRecord,
  type JobSpec,
  readJson,
  removeIfPresent,
  type StageStatus,
  writeJsonAtomic,
} from "./job_files.ts";
import { jobScript } from "./job_script.ts";
import { JobMonitor, type MonitoredStage } from "./job_monitor.ts";
import { jobPhase } from "./job_state.ts";
import type { SlurmTimings } from "./job_tracker.ts";
import { sbatchArgs } from "./sbatch_args.ts";
import { CommandSlurmClient, type SlurmClient } from "./slurm_client.ts";

const WORKER = fileUrlPath(new URL("./worker.ts", import.meta.url));
const CONFIG = fileUrlPath(new URL("../../../../deno.json", import.meta.url));

/**
 * Timings of submission and polling, in milliseconds. `DROPLINE_SLURM_EXIT_WAIT`
 * and `DROPLINE_SLURM_CANCEL_WAIT` (seconds) override `exitFileWaitMs` and `cancelWaitMs`.
 */
export const DEFAULT_SLURM_TIMINGS: SlurmTimings = {
  submitDelayMs: 100,
  pollMinMs: 500,
  pollMaxMs: 30_000,
  exitFileWaitMs: 60_000,
  failedExitFileWaitMs: 3_000,
  unseenMs: 60_000,
  endStateWaitMs: 10_000,
  cancelWaitMs: 30_000,
};

/** What the Slurm executor needs from the run. */
export interface SlurmExecutorOptions {
  runId: string;
  pipelineName: string;
  store: Store;
  /** Resubmissions of a stage whose job was lost (NODE_FAIL, PREEMPTED, BOOT_FAIL). */
  retries: number;
  /**
   * `--keep-going`: a failure does not stop other stages. Without it (the
   * default) nothing more is submitted after a failure, and a job running
   * several stages starts none after one failed.
   */
  keepGoing?: boolean;
  note: (message: string) => void;
  client?: SlurmClient;
  timings?: Partial<SlurmTimings>;
  /** Deno on the compute nodes (default: this one, `DROPLINE_SLURM_DENO` overrides). */
  deno?: string;
}

/** Runs every stage as (part of) a Slurm job. */
export class SlurmExecutor implements Executor {
  readonly name = "slurm";
  readonly defaultJobs = 1000;
  /** The tag in every job name of this run. */
  readonly jobName: string;
  #options: SlurmExecutorOptions;
  #client: SlurmClient;
  #timings: SlurmTimings;
  #queue: MonitoredStage[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #submitted = 0;
  #monitor: JobMonitor;
  #watching = false;
  /** Why the run stopped starting stages (fail-fast), once it did. */
  #stopped: string | undefined;
  /** This run's job directories: stages not settled yet, and whether all that were succeeded. */
  #jobDirs = new Map<string, { left: number; clean: boolean }>();

  constructor(options: SlurmExecutorOptions) {
    this.#options = options;
    this.#client = options.client ?? new CommandSlurmClient();
    this.jobName = `dropline.${options.runId}`;
    const exitWait = Number(Deno.env.get("DROPLINE_SLURM_EXIT_WAIT"));
    const cancelWait = Number(Deno.env.get("DROPLINE_SLURM_CANCEL_WAIT"));
    this.#timings = {
      ...DEFAULT_SLURM_TIMINGS,
      ...(exitWait > 0 ? { exitFileWaitMs: exitWait * 1000 } : {}),
      ...(cancelWait > 0 ? { cancelWaitMs: cancelWait * 1000 } : {}),
      ...options.timings,
    };
    this.#monitor = new JobMonitor({
      client: this.#client,
      timings: this.#timings,
      retries: options.retries,
      note: options.note,
      resubmit: (stage) => this.#enqueue(stage),
      finished: (stage, result) => {
        this.#forget(stage, result);
        // Fail-fast at once, not when the run gets to it: the batch being
        // submitted must not go on (the run's own stop() follows with the same reason).
        if (result.outcome === "failed" && !options.keepGoing) {
          this.stop(failFastReason(stage.request.work.stageId));
        }
      },
    });
  }

  execute(
    request: ExecutionRequest,
    hooks: ExecutionHooks,
    signal: AbortSignal,
  ): Promise<ExecutionResult> {
    if (signal.aborted) return Promise.resolve({ outcome: "interrupted" });
    if (!this.#watching) {
      this.#watching = true;
      signal.addEventListener("abort", () => this.#cancel(), { once: true });
    }
    // A job holds its slot from submission to its end.
    return request.slots.acquire().then((stopped) => {
      if (stopped !== undefined) return { outcome: "skipped", reason: stopped };
      return new Promise<ExecutionResult>((resolve) => {
        this.#enqueue({ request, hooks, resolve, submissions: 0, done: false });
      }).then((result) => {
        request.slots.release(result.outcome === "failed");
        return result;
      });
    });
  }

  stop(reason: string): void {
    this.#stopped ??= reason;
    this.#queue.splice(0).forEach((stage) =>
      this.#monitor.finish(stage, { outcome: "skipped", reason })
    );
    void this.#monitor.dropQueued(reason);
  }

  describe(stage: Pick<ExecutionRequest, "task" | "resources">): string {
    const flags = sbatchArgs(stage.resources, { name: "", comment: "", output: "", chdir: "" })
      .filter((flag) => !/^--(parsable|job-name|comment|output|chdir|no-requeue)\b/.test(flag));
    const { groupSize, groupSeconds } = stage.resources;
    const grouped = groupSize !== undefined || groupSeconds !== undefined
      ? " (grouped with other ready stages)"
      : "";
    return `as a Slurm job${grouped}: sbatch ${flags.join(" ") || "(cluster defaults)"}`;
  }

  async close(): Promise<void> {
    await this.#flushing;
    await this.#monitor.idle();
    // Gone when every job succeeded (their directories went one by one).
    try {
      Deno.removeSync(this.#options.store.layout.slurmRunDir(this.#options.runId));
    } catch {
      // Not empty (a failed job's output is kept), or never created.
    }
  }

  #enqueue(stage: MonitoredStage): void {
    this.#queue.push(stage);
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = undefined;
      const batch = this.#queue.splice(0);
      this.#flushing = this.#flushing.then(() =>
        this.#flush(batch).catch((error) => {
          const message = `Cannot submit to Slurm: ${(error as Error).message}`;
          batch.forEach((stage) => this.#monitor.finish(stage, { outcome: "failed", message }));
        })
      );
    }, this.#timings.submitDelayMs);
  }

  async #flush(batch: MonitoredStage[]): Promise<void> {
    if (this.#halted(batch)) return;
    const fresh = await this.#reattach(batch);
    const groups = groupStages(
      fresh.map((stage) => ({ resources: stage.request.resources, stage })),
    );
    for (const group of groups) {
      // A group that failed to submit (or a failure meanwhile) stops the rest.
      if (this.#halted(group.map((g) => g.stage))) continue;
      await this.#submit(group.map((g) => g.stage));
    }
  }

  /** Settles `stages` and returns true when the run submits nothing more (Ctrl-C, fail-fast). */
  #halted(stages: MonitoredStage[]): boolean {
    if (!this.#monitor.cancelling && this.#stopped === undefined) return false;
    const result: ExecutionResult = this.#stopped === undefined || this.#monitor.cancelling
      ? { outcome: "interrupted" }
      : { outcome: "skipped", reason: this.#stopped };
    stages.forEach((stage) => this.#monitor.finish(stage, result));
    return true;
  }

  /** Stages whose key a live job is computing follow that job; the rest are returned. */
  async #reattach(batch: MonitoredStage[]): Promise<MonitoredStage[]> {
    const records = new Map<MonitoredStage, JobRecord>();
    for (const stage of batch) {
      const record = readJson<JobRecord>(
        this.#options.store.layout.slurmRecordPath(stage.request.work.key),
      );
      if (record && record.runId !== this.#options.runId) records.set(stage, record);
    }
    if (records.size === 0) return batch;
    let listing;
    try {
      listing = await this.#client.squeue([...new Set([...records.values()].map((r) => r.name))]);
    } catch (error) {
      this.#options.note(`Cannot check earlier runs' Slurm jobs: ${(error as Error).message}`);
      return batch;
    }
    const fresh: MonitoredStage[] = [];
    for (const stage of batch) {
      const record = records.get(stage);
      const seen = record && listing.find((job) => job.jobId === record.jobId);
      const status = record &&
        readJson<StageStatus>(jobPaths.status(record.jobDir, record.index));
      const id = stage.request.work.stageId;
      if (record && (status?.outcome === "succeeded" || status?.outcome === "cached")) {
        this.#monitor.finish(stage, {
          outcome: "cached",
          digest: status.digest,
          outDir: status.outDir,
          reason: `produced by Slurm job ${record.jobId} of run ${record.runId}`,
        });
      } else if (record && seen && jobPhase(seen.state) !== "ended") {
        stage.job = {
          jobId: record.jobId,
          jobDir: record.jobDir,
          index: record.index,
          events: new EventsReader(jobPaths.events(record.jobDir, record.index)),
          started: false,
          ours: record.host === Deno.hostname() && !pidAlive(record.pid),
        };
        this.#options.note(
          `"${id}": re-attached to Slurm job ${record.jobId} (${seen.state}) of run ${record.runId}`,
        );
        this.#monitor.track(stage, record.name, record.resources, seen);
      } else fresh.push(stage);
    }
    return fresh;
  }

  async #submit(group: MonitoredStage[]): Promise<void> {
    const n = ++this.#submitted;
    const jobDir = this.#options.store.layout.slurmJobDir(this.#options.runId, n);
    const works = group.map((stage) => stage.request.work);
    const resources = jobResources(group.map((stage) => stage.request.resources));
    const ids = works.map((w) => w.stageId);
    const args = sbatchArgs(resources, {
      name: this.jobName,
      comment: `dropline:${this.#options.pipelineName}:${
        ids.length === 1 ? ids[0] : `${ids.length}_stages`
      }`,
      output: jobPaths.output(jobDir),
      chdir: works[0]!.workDir,
    });
    let jobId: string;
    try {
      Deno.mkdirSync(jobDir, { recursive: true });
      Deno.mkdirSync(this.#options.store.layout.slurmKeysDir, { recursive: true });
      const spec: JobSpec = {
        cacheDir: this.#options.store.root,
        runId: this.#options.runId,
        jobDir,
        stages: works,
        keepGoing: this.#options.keepGoing === true,
      };
      writeJsonAtomic(jobPaths.spec(jobDir), spec);
      Deno.writeTextFileSync(
        jobPaths.script(jobDir),
        jobScript({
          deno: this.#options.deno ?? Deno.env.get("DROPLINE_SLURM_DENO") ?? Deno.execPath(),
          config: CONFIG,
          worker: WORKER,
          spec: jobPaths.spec(jobDir),
          runId: this.#options.runId,
          stageIds: ids,
          sbatchArgs: args,
        }),
      );
      jobId = await this.#client.sbatch(args, jobPaths.script(jobDir));
    } catch (error) {
      const message = `Cannot submit to Slurm: ${(error as Error).message}`;
      group.forEach((stage) => this.#monitor.finish(stage, { outcome: "failed", message }));
      return;
    }
    this.#jobDirs.set(jobDir, { left: group.length, clean: true });
    for (const [index, stage] of group.entries()) {
      stage.submissions++;
      stage.job = {
        jobId,
        jobDir,
        index,
        events: new EventsReader(jobPaths.events(jobDir, index)),
        started: false,
        ours: true,
      };
      const record: JobRecord = {
        jobId,
        name: this.jobName,
        jobDir,
        index,
        runId: this.#options.runId,
        host: Deno.hostname(),
        pid: Deno.pid,
        resources,
      };
      writeJsonAtomic(this.#options.store.layout.slurmRecordPath(stage.request.work.key), record);
      this.#monitor.track(stage, this.jobName, resources);
    }
    this.#options.note(`submitted Slurm job ${jobId} for ${describeStages(ids)}`);
    // Submitted while Ctrl-C was being handled: cancel it too.
    if (this.#monitor.cancelling) await this.#monitor.cancel();
  }

  async #cancel(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const queued = this.#queue.splice(0);
    queued.forEach((stage) => this.#monitor.finish(stage, { outcome: "interrupted" }));
    await this.#monitor.cancel();
  }

  /**
   * A stage is settled: its key record goes (unless another job took the key
   * over), and a job directory whose stages all succeeded goes with its last
   * one. Directories of failed or interrupted jobs stay: Slurm's output in
   * them is what the failure message points at.
   */
  #forget(stage: MonitoredStage, result: ExecutionResult): void {
    if (!stage.job) return;
    const path = this.#options.store.layout.slurmRecordPath(stage.request.work.key);
    const record = readJson<JobRecord>(path);
    // A job left running after Ctrl-C keeps it: a re-run follows that job.
    if (record?.jobId === stage.job.jobId && !stage.job.abandoned) removeIfPresent(path);
    const dir = this.#jobDirs.get(stage.job.jobDir);
    if (!dir) return;
    dir.left--;
    dir.clean &&= result.outcome === "succeeded" || result.outcome === "cached";
    if (dir.left > 0) return;
    this.#jobDirs.delete(stage.job.jobDir);
    if (dir.clean) Deno.removeSync(stage.job.jobDir, { recursive: true });
  }
}

function describeStages(ids: readonly string[]): string {
  if (ids.length === 1) return `"${ids[0]}"`;
  return `${ids.length} stages ("${ids[0]}" ... "${ids.at(-1)}")`;
}
