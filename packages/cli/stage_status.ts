/**
 * A stage's state as `status` and `why` report it: cached, pending, running
 * (a live run holds its key), queued (its batch job is pending) or failed.
 */
import {
  DEFAULT_STALE_AFTER_MS,
  isStale,
  type JournalReader,
  type LockHolder,
  pidAlive,
  type PlannedStage,
  type StageExecution,
  type Store,
} from "@dropline/engine/run";

/** A stage's state as `status` reports it. */
export interface StageStatus {
  id: string;
  key: string | null;
  state: "cached" | "pending" | "running" | "failed";
  reason: string;
  /**
   * Where the latest attempt with this key executed (`--json` only; null when
   * none is recorded).
   */
  job?: StatusJob | null;
}

/** Where a stage's latest attempt executed, and its batch job when it ran in one. */
export interface StatusJob {
  /** `local` or `slurm`. */
  executor: string;
  /** The scheduler's job id (Slurm: `"123"`); null for a local attempt. */
  id: string | null;
  /** The node it ran on: the job's node, or the host of a local run. */
  node: string | null;
  /** The scheduler's latest state (`PENDING`, `RUNNING`, `COMPLETED`, `OUT_OF_MEMORY`, ...). */
  state: string | null;
  /** The scheduler's reason for that state (`Resources`, `TimeLimit`, ...). */
  reason: string | null;
  /** The run of that attempt. */
  run: string;
}

/**
 * The state of a planned stage, with the job of its latest attempt when
 * `withJob` (one indexed read; always done for a pending stage, whose job may
 * explain the wait).
 *
 * @example
 * ```ts
 * const plan = await planPipeline(graph, store, journal, new Set());
 * plan.map((stage) => describeStage(stage, store, journal, { withJob: false }));
 * ```
 */
export function describeStage(
  stage: PlannedStage,
  store: Store,
  journal: JournalReader,
  { withJob }: { withJob: boolean },
): StageStatus {
  const status = stageStatus(stage, store, journal);
  if (!withJob && status.state !== "pending") return status;
  const execution = stage.key ? journal.lastExecution(stage.id, stage.key) : undefined;
  if (!execution) return withJob ? { ...status, job: null } : status;
  const job = statusJob(execution);
  const queued = status.state === "pending" && queuedReason(job, journal);
  return {
    ...status,
    ...(queued ? { reason: queued } : {}),
    ...(withJob ? { job } : {}),
  };
}

function stageStatus(stage: PlannedStage, store: Store, journal: JournalReader): StageStatus {
  const base = { id: stage.id, key: stage.key };
  if (stage.action === "reuse") return { ...base, state: "cached", reason: stage.reason };
  if (stage.key) {
    const holder = liveLockHolder(store.layout.lockPath(stage.key));
    if (holder) {
      return {
        ...base,
        state: "running",
        reason: `running in run ${holder.runId} (pid ${holder.pid} on ${holder.host})`,
      };
    }
    const last = journal.lastOutcomeOfKey(stage.key);
    if (last?.state === "failed") {
      return {
        ...base,
        state: "failed",
        reason: `last attempt failed: ${last.error ?? "unknown error"}`,
      };
    }
  }
  return { ...base, state: "pending", reason: stage.reason };
}

function statusJob(execution: StageExecution): StatusJob {
  const { job } = execution;
  return {
    executor: execution.executor,
    id: job?.id ?? null,
    node: job ? job.node : execution.executor === "local" ? execution.host : null,
    state: job?.state ?? null,
    reason: job?.reason ?? null,
    run: execution.runId,
  };
}

/** "queued as Slurm job 12 (PENDING, Resources) in run R" while that run is alive. */
function queuedReason(job: StatusJob, journal: JournalReader): string | undefined {
  if (job.state !== "PENDING" || journal.getRun(job.run)?.state !== "running") return undefined;
  return `queued as ${job.executor === "slurm" ? "Slurm " : ""}job ${job.id} (${job.state}${
    job.reason ? `, ${job.reason}` : ""
  }) in run ${job.run}`;
}

function liveLockHolder(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(Deno.readTextFileSync(path)) as LockHolder;
    const heartbeatAgeMs = Date.now() - (Deno.statSync(path).mtime?.getTime() ?? 0);
    const stale = isStale(holder, {
      heartbeatAgeMs,
      thisHost: Deno.hostname(),
      pidAlive,
      staleAfterMs: DEFAULT_STALE_AFTER_MS,
    });
    return stale ? undefined : holder;
  } catch {
    return undefined;
  }
}
