/**
 * What a Slurm job state means for the stages in the job, and the message a
 * user reads when it ended badly. Pure.
 */
import type { Resources } from "../../pipeline/resources.ts";
import { slurmTime } from "./sbatch_args.ts";

/** Where a job is, as far as dropline cares. */
export type JobPhase = "queued" | "running" | "ended";

const QUEUED = ["PENDING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "SUSPENDED", "STOPPED"];
const ENDED = [
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "OUT_OF_MEMORY",
  "NODE_FAIL",
  "PREEMPTED",
  "BOOT_FAIL",
  "DEADLINE",
  "REVOKED",
  "SPECIAL_EXIT",
];

/**
 * The phase of a Slurm state (`squeue %T` or `sacct` State).
 *
 * @example
 * ```ts
 * jobPhase("COMPLETING"); // "running"
 * ```
 */
export function jobPhase(state: string): JobPhase {
  if (ENDED.includes(state)) return "ended";
  if (QUEUED.includes(state)) return "queued";
  // RUNNING, CONFIGURING, COMPLETING, RESIZING, SIGNALING, STAGE_OUT, ...
  return "running";
}

/**
 * Whether the job was lost for reasons outside the stage (a node died, the job
 * was preempted, the node never booted), so that `--retries` resubmits it.
 *
 * @example
 * ```ts
 * isRetryable("NODE_FAIL"); // true
 * isRetryable("OUT_OF_MEMORY"); // false
 * ```
 */
export function isRetryable(state: string): boolean {
  return state === "NODE_FAIL" || state === "PREEMPTED" || state === "BOOT_FAIL";
}

/** A job that ended, as the failure message needs it. */
export interface EndedJob {
  jobId: string;
  state: string;
  reason?: string;
  node?: string;
  exitCode?: string;
  resources: Resources;
}

/**
 * Why a stage in an ended job failed, for a job that did not report the
 * stage's result itself.
 *
 * @example
 * ```ts
 * jobFailure({ jobId: "12", state: "OUT_OF_MEMORY", node: "n1", resources: { memMiB: 200 } });
 * // "Slurm job 12 ran out of memory on n1 (OUT_OF_MEMORY with --mem=200M): raise `resources.mem`"
 * ```
 */
export function jobFailure(job: EndedJob): string {
  const head = `Slurm job ${job.jobId}`;
  const on = job.node ? ` on ${job.node}` : "";
  const why = job.reason ? `, ${job.reason}` : "";
  const { memMiB, timeSeconds } = job.resources;
  switch (job.state) {
    case "OUT_OF_MEMORY":
      return `${head} ran out of memory${on} (OUT_OF_MEMORY${
        memMiB === undefined ? "" : ` with --mem=${memMiB}M`
      }): raise \`resources.mem\``;
    case "TIMEOUT":
      return `${head} reached its time limit${on} (TIMEOUT${
        timeSeconds === undefined ? "" : ` with --time=${slurmTime(timeSeconds)}`
      }): raise \`resources.time\``;
    case "NODE_FAIL":
      return `${head} was lost with its node${on} (NODE_FAIL${why})`;
    case "PREEMPTED":
      return `${head} was preempted${on} (PREEMPTED${why})`;
    case "BOOT_FAIL":
      return `${head} could not start: its node${on} failed to boot (BOOT_FAIL${why})`;
    case "DEADLINE":
      return `${head} could not finish before its deadline (DEADLINE${why})`;
    case "CANCELLED":
      return `${head} was cancelled outside dropline${on} (CANCELLED${why})`;
    case "FAILED":
      return job.reason === "JobLaunchFailure"
        ? `${head} could not be launched${on} (FAILED, JobLaunchFailure): the node could not open ` +
          `the job's output file or run its script; the cache directory must be on a filesystem ` +
          `the compute nodes share`
        : `${head} failed${on} (FAILED${why}${exitCodeText(job.exitCode)})`;
    default:
      return `${head} ended ${job.state}${on}${job.reason ? ` (${job.reason})` : ""}`;
  }
}

function exitCodeText(exitCode: string | undefined): string {
  return exitCode ? `, exit code ${exitCode}` : "";
}
