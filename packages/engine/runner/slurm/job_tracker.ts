/**
 * The Slurm executor's view of its jobs, as a state machine fed with `squeue`
 * snapshots: which jobs changed state, which left the queue without an end
 * state, and which ended long enough ago that stages still without an
 * exit-status file must be settled without one. Pure; the executor does the
 * queries and file reads.
 */
import type { Resources } from "../../pipeline/resources.ts";
import { jobPhase } from "./job_state.ts";
import type { JobObservation } from "./squeue.ts";

/** A job the run waits for. */
export interface TrackedJob {
  jobId: string;
  /** Its job name: the tag of the run that submitted it. */
  name: string;
  resources: Resources;
  /** Stages of the job whose result is not in yet. */
  stages: Set<string>;
  /** The latest state seen (from squeue, or sacct once it left the queue). */
  observed?: JobObservation;
  /** When it was first seen ended, or found gone from the queue. */
  endedAt?: number;
  /** Gone from the queue without an end state seen. */
  vanished: boolean;
  trackedAt: number;
  /** When its last stage reported: from then on it is followed only for its end state. */
  settledAt?: number;
}

/** How long to wait for exit-status files once a job ended. */
export interface TrackerTimings {
  /** After COMPLETED or an unknown end: a shared filesystem may show files late. */
  exitFileWaitMs: number;
  /** After a failure state: the stage that was running will never write one. */
  failedExitFileWaitMs: number;
  /** A new job not listed by squeue for this long is taken as gone. */
  unseenMs: number;
  /**
   * A job whose stages all reported is followed this long for its end state
   * (for the journal), then dropped even when still listed.
   */
  endStateWaitMs: number;
}

/** Every timing of the Slurm executor: tracking, polling and batching submissions. */
export interface SlurmTimings extends TrackerTimings {
  /** Stages becoming ready within this window are submitted together (and may share a job). */
  submitDelayMs: number;
  pollMinMs: number;
  pollMaxMs: number;
  /**
   * After Ctrl-C, how long the run waits for its jobs to end (cancelled, or
   * not when the controller does not answer) before it gives up on them.
   */
  cancelWaitMs: number;
}

/** Tracks jobs by id. */
export class JobTracker {
  #jobs = new Map<string, TrackedJob>();
  #timings: TrackerTimings;

  constructor(timings: TrackerTimings) {
    this.#timings = timings;
  }

  /** Starts waiting for `jobId`; `observed` when its state is already known (re-attach). */
  track(
    job: { jobId: string; name: string; resources: Resources; stages: Iterable<string> },
    now: number,
    observed?: JobObservation,
  ): void {
    const known = this.#jobs.get(job.jobId);
    if (known) {
      for (const stage of job.stages) known.stages.add(stage);
      return;
    }
    this.#jobs.set(job.jobId, {
      jobId: job.jobId,
      name: job.name,
      resources: job.resources,
      stages: new Set(job.stages),
      vanished: false,
      trackedAt: now,
      ...(observed ? { observed } : {}),
    });
  }

  get size(): number {
    return this.#jobs.size;
  }

  get(jobId: string): TrackedJob | undefined {
    return this.#jobs.get(jobId);
  }

  jobs(): IterableIterator<TrackedJob> {
    return this.#jobs.values();
  }

  /** The job names to list: one `squeue --name` query covers them all. */
  names(): string[] {
    return [...new Set([...this.#jobs.values()].map((job) => job.name))].sort();
  }

  /**
   * Takes in one listing; returns the jobs whose state, reason or node
   * changed, and those that left the queue without an end state seen.
   */
  observe(
    listing: readonly JobObservation[],
    now: number,
  ): { changed: TrackedJob[]; vanished: TrackedJob[] } {
    const byId = new Map(listing.map((o) => [o.jobId, o]));
    const changed: TrackedJob[] = [];
    const vanished: TrackedJob[] = [];
    for (const job of this.#jobs.values()) {
      const seen = byId.get(job.jobId);
      if (seen) {
        const before = job.observed;
        if (
          !before || before.state !== seen.state || before.node !== seen.node ||
          before.reason !== seen.reason
        ) {
          job.observed = seen;
          changed.push(job);
        }
        if (jobPhase(seen.state) === "ended") job.endedAt ??= now;
        else if (job.vanished) {
          // Listed again (a controller that restarted from its saved state): not gone after all.
          job.vanished = false;
          delete job.endedAt;
        }
      } else if (
        job.endedAt === undefined && (job.observed || now - job.trackedAt > this.#timings.unseenMs)
      ) {
        job.vanished = true;
        job.endedAt = now;
        vanished.push(job);
      }
    }
    return { changed, vanished };
  }

  /** The end state of a job that left the queue, as `sacct` reported it. */
  settle(observation: JobObservation): void {
    const job = this.#jobs.get(observation.jobId);
    if (!job) return;
    job.observed = observation;
    job.vanished = false;
  }

  /**
   * A stage's result arrived. A job whose stages all reported stays followed
   * until it ends (at most `endStateWaitMs`), so that its end state
   * (COMPLETED, ...) is known though its stages reported before it left the node.
   */
  resolve(jobId: string, stageId: string, now: number): void {
    const job = this.#jobs.get(jobId);
    if (!job) return;
    job.stages.delete(stageId);
    if (job.stages.size === 0) job.settledAt ??= now;
  }

  /** Stops following a job. */
  drop(jobId: string): void {
    this.#jobs.delete(jobId);
  }

  /**
   * Drops the jobs whose stages all reported once they ended (or waited
   * `endStateWaitMs` for it), and returns (and drops) the jobs that ended
   * long enough ago: their remaining stages will get no exit-status file, so
   * the caller settles them.
   */
  expire(now: number): TrackedJob[] {
    const expired: TrackedJob[] = [];
    for (const job of this.#jobs.values()) {
      if (job.stages.size === 0) {
        const waited = now - (job.settledAt ?? now) >= this.#timings.endStateWaitMs;
        if (job.endedAt !== undefined || waited) this.#jobs.delete(job.jobId);
        continue;
      }
      if (job.endedAt === undefined) continue;
      const state = job.vanished ? undefined : job.observed?.state;
      const wait = state === undefined || state === "COMPLETED"
        ? this.#timings.exitFileWaitMs
        : this.#timings.failedExitFileWaitMs;
      if (now - job.endedAt >= wait) expired.push(job);
    }
    for (const job of expired) this.#jobs.delete(job.jobId);
    return expired;
  }
}

/**
 * The next poll delay: back to `minMs` after any news, else 1.5 times longer
 * up to `maxMs`, so a long quiet job costs slurmctld one query every `maxMs`.
 *
 * @example
 * ```ts
 * nextPollMs(1000, false, { minMs: 500, maxMs: 30_000 }); // 1500
 * ```
 */
export function nextPollMs(
  currentMs: number,
  news: boolean,
  limits: { minMs: number; maxMs: number },
): number {
  return news ? limits.minMs : Math.min(limits.maxMs, Math.round(currentMs * 1.5));
}
