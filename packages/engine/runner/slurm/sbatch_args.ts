/**
 * Rendering a job's resources to `sbatch` flags. Pure.
 */
import type { Resources } from "../../pipeline/resources.ts";

/** What identifies and places one submitted job. */
export interface JobLabels {
  /** The run's tag: one `squeue --name` query covers every job of the run. */
  name: string;
  /** Shown by `squeue -o %k`; no spaces (they break `scontrol -o` parsing). */
  comment: string;
  /** Slurm's own output file (stdout and stderr of the job script). */
  output: string;
  /** Working directory of the job. */
  chdir: string;
}

/**
 * The flags of `sbatch` for one job, before the script path.
 *
 * @example
 * ```ts
 * sbatchArgs({ cpus: 2, memMiB: 4096, timeSeconds: 5400 }, labels);
 * // ["--parsable", "--job-name=...", ..., "--cpus-per-task=2", "--mem=4096M", "--time=01:30:00"]
 * ```
 */
export function sbatchArgs(resources: Resources, labels: JobLabels): string[] {
  const args = [
    "--parsable",
    `--job-name=${labels.name}`,
    `--comment=${labels.comment.replace(/\s+/g, "_")}`,
    `--output=${labels.output}`,
    `--chdir=${labels.chdir}`,
    // dropline resubmits lost jobs itself (`--retries`), so Slurm's requeue
    // would only hide NODE_FAIL and PREEMPTED from it.
    "--no-requeue",
  ];
  if (resources.cpus !== undefined) args.push(`--cpus-per-task=${resources.cpus}`);
  if (resources.memMiB !== undefined) args.push(`--mem=${resources.memMiB}M`);
  if (resources.timeSeconds !== undefined) args.push(`--time=${slurmTime(resources.timeSeconds)}`);
  if (resources.gpus !== undefined) args.push(`--gpus=${resources.gpus}`);
  if (resources.partition !== undefined) args.push(`--partition=${resources.partition}`);
  if (resources.account !== undefined) args.push(`--account=${resources.account}`);
  args.push(...resources.extra ?? []);
  return args;
}

/**
 * Seconds as Slurm's `[D-]HH:MM:SS`.
 *
 * @example
 * ```ts
 * slurmTime(90_000); // "1-01:00:00"
 * ```
 */
export function slurmTime(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const rest = seconds % 86400;
  const hms = [Math.floor(rest / 3600), Math.floor((rest % 3600) / 60), rest % 60]
    .map((n) => String(n).padStart(2, "0")).join(":");
  return days > 0 ? `${days}-${hms}` : hms;
}

/**
 * `value` quoted for bash: single quotes, with embedded ones escaped.
 *
 * @example
 * ```ts
 * shellQuote("it's"); // "'it'\\''s'"
 * ```
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
