/**
 * Reading Slurm's job listings: one `squeue` query by job name covers every
 * job of a run (and of the runs it re-attached to); `sacct`, when accounting
 * is on, answers for jobs already purged from `squeue`. Pure.
 */

/** One job's state as a listing shows it. */
export interface JobObservation {
  jobId: string;
  /** `PENDING`, `RUNNING`, `COMPLETED`, `OUT_OF_MEMORY`, ... */
  state: string;
  /** Slurm's reason (`Resources`, `TimeLimit`, ...), when it gives one. */
  reason?: string;
  node?: string;
  /** `status:signal` from `sacct`, when known. */
  exitCode?: string;
}

const SQUEUE_FORMAT = "%i|%T|%r|%N";

/**
 * Arguments of `squeue` listing every job named one of `names`, finished ones included.
 *
 * @example
 * ```ts
 * squeueArgs(["dl-abc"]); // ["-h", "-t", "all", "--name=dl-abc", "-o", "%i|%T|%r|%N"]
 * ```
 */
export function squeueArgs(names: readonly string[]): string[] {
  return ["-h", "-t", "all", `--name=${names.join(",")}`, "-o", SQUEUE_FORMAT];
}

/**
 * Parses `squeue -o '%i|%T|%r|%N'` output.
 *
 * @example
 * ```ts
 * parseSqueue("311|FAILED|NonZeroExitCode|node1\n");
 * // [{ jobId: "311", state: "FAILED", reason: "NonZeroExitCode", node: "node1" }]
 * ```
 */
export function parseSqueue(text: string): JobObservation[] {
  return lines(text).map((line) => {
    const [jobId = "", state = "", reason, node] = line.split("|");
    return observation(jobId, state, reason, node);
  });
}

const SACCT_FIELDS = "JobIDRaw,State,Reason,NodeList,ExitCode";

/**
 * Arguments of `sacct` for the allocations of `jobIds` (steps left out).
 *
 * @example
 * ```ts
 * sacctArgs(["12", "13"]); // ["-n", "-X", "-P", "-j", "12,13", "-o", "JobIDRaw,State,Reason,NodeList,ExitCode"]
 * ```
 */
export function sacctArgs(jobIds: readonly string[]): string[] {
  return ["-n", "-X", "-P", "-j", jobIds.join(","), "-o", SACCT_FIELDS];
}

/**
 * Parses `sacct -P -o JobIDRaw,State,Reason,NodeList,ExitCode` output.
 * `CANCELLED by 1000` becomes `CANCELLED`.
 *
 * @example
 * ```ts
 * parseSacct("12|OUT_OF_MEMORY|None|n1|0:125\n");
 * // [{ jobId: "12", state: "OUT_OF_MEMORY", node: "n1", exitCode: "0:125" }]
 * ```
 */
export function parseSacct(text: string): JobObservation[] {
  return lines(text).map((line) => {
    const [jobId = "", state = "", reason, node, exitCode] = line.split("|");
    return {
      ...observation(jobId, state.split(" ")[0]!, reason, node),
      ...(exitCode ? { exitCode } : {}),
    };
  });
}

/** Whether `sacct` failed because the cluster keeps no accounting. */
export function accountingDisabled(stderr: string): boolean {
  return /accounting storage is disabled/i.test(stderr);
}

function observation(
  jobId: string,
  state: string,
  reason: string | undefined,
  node: string | undefined,
): JobObservation {
  return {
    jobId,
    state,
    ...(present(reason) ? { reason } : {}),
    ...(present(node) ? { node } : {}),
  };
}

function present(value: string | undefined): value is string {
  return value !== undefined && value !== "" && value !== "None" && value !== "(null)";
}

function lines(text: string): string[] {
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
}
