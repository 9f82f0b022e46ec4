/**
 * Executes one stage whose key is known and which must run: takes the key's
 * lock, runs the task in a staging directory, checks its declared outputs and
 * publishes them atomically.
 */
import { join } from "../util/posix_path.ts";
import type { CompiledStage } from "../pipeline/compile.ts";
import { acquireLock, type LockHolder, type StageLock } from "../store/stage_lock.ts";
import type { Store } from "../store/store.ts";
import type { Progress, Task } from "@dropline/task";
import { metricsExportPaths, writePlots } from "../metrics/metrics_export.ts";
import { runAttempt } from "./run_attempt.ts";
import type { TaskJob } from "./task_context.ts";

/**
 * One stage to execute, as plain data: everything needed to run it here or
 * on a cluster node (where it is read back from JSON).
 */
export interface StageWork {
  stageId: string;
  /** Position in the run; names the attempt's log. */
  seq: number;
  key: string;
  runId: string;
  /** The task module's URL and name; the task object is imported from it where needed. */
  taskModule: string;
  taskName: string;
  /** The rendered, schema-parsed `with`, upstream outputs as real paths. */
  params: unknown;
  /** Published output dir of each upstream stage. */
  upstream: Record<string, string>;
  /** Files the stage must produce (the task's declared outputs for these params). */
  outputs: string[];
  /** Directory the task runs in (the pipeline's). */
  workDir: string;
  logPath: string;
  /** True when the stage must run even if a result appears meanwhile. */
  forced: boolean;
}

/** What a stage's execution reports while it runs. */
export interface StageHooks {
  /** Called once the lock is held and the task starts. */
  onStart(logPath: string): void;
  onProgress(progress: Progress): void;
  onMetric(record: Record<string, number>): void;
  onFacts(facts: Record<string, string | number | boolean>): void;
  onLockWait(message: string): void;
  /** Called when the key's lock is taken (held) and released, for heartbeats. */
  onLock(lock: StageLock, held: boolean): void;
  /** Called when the stored object failed verification and was moved to `movedTo`. */
  onCorrupt(reason: string, movedTo: string): void;
}

/**
 * The work for a compiled stage whose key is known.
 *
 * @example
 * ```ts
 * const work = stageWork(stage, { key, runId, store, forced: false, outDirOf, workDir });
 * ```
 */
export function stageWork(
  stage: CompiledStage,
  run: {
    key: string;
    runId: string;
    store: Store;
    forced: boolean;
    workDir: string;
    outDirOf: (id: string) => string;
  },
): StageWork {
  const params = stage.params(run.outDirOf);
  return {
    stageId: stage.id,
    seq: stage.seq,
    key: run.key,
    runId: run.runId,
    taskModule: stage.task.module,
    taskName: stage.task.name,
    params,
    upstream: Object.fromEntries(stage.upstream.map((id) => [id, run.outDirOf(id)])),
    outputs: [...stage.task.outputs(params as never)],
    workDir: run.workDir,
    logPath: run.store.layout.logPath(run.runId, stage.seq),
    forced: run.forced,
  };
}

/**
 * How the execution ended; `ms` is the task's own time when it ran elsewhere.
 * `skipped`: queued by an executor but never started, because the run stopped.
 */
export type ExecutionResult =
  | { outcome: "succeeded"; digest: string; outDir: string; logPath: string; ms?: number }
  | { outcome: "cached"; digest: string; outDir: string; reason: string }
  | { outcome: "failed"; message: string; logPath?: string; ms?: number }
  | { outcome: "interrupted"; logPath?: string }
  | { outcome: "skipped"; reason: string };

/**
 * The run's `--jobs` limit on tasks running at once. A slot is held only
 * while the task runs: the key's lock, the staging area and publishing happen
 * outside it, so a finished task's slot goes at once to a stage already
 * prepared. `acquire` resolves to why the task must not start (the run
 * stopped while it waited), if so. Slots are per stage (a failure names it).
 */
export interface TaskSlots {
  acquire(): Promise<string | undefined>;
  /** `failed`: the task failed (known before its stage's result is recorded). */
  release(failed: boolean): void;
}

/** No limit (a Slurm job's node runs what it was given). */
export const UNLIMITED_SLOTS: TaskSlots = {
  acquire: () => Promise.resolve(undefined),
  release: () => {},
};

/** What executing a stage needs besides its work. */
export interface StageExecution {
  work: StageWork;
  task: Task;
  store: Store;
  hooks: StageHooks;
  signal: AbortSignal;
  /** Held while the task runs (default: {@link UNLIMITED_SLOTS}). */
  slots?: TaskSlots;
}

let host: string | undefined;
/** This machine's name, asked once: a system call per stage adds up. */
const thisHost = () => host ??= Deno.hostname();

/**
 * Runs the stage under its key's lock and publishes its output.
 *
 * @example
 * ```ts
 * const result = await executeStage({ work, task, store, hooks, signal });
 * ```
 */
export async function executeStage(ex: StageExecution): Promise<ExecutionResult> {
  const { work, hooks } = ex;
  const lock = await acquireLock(ex.store.layout.lockPath(work.key), {
    pid: Deno.pid,
    host: thisHost(),
    runId: work.runId,
  }, {
    signal: ex.signal,
    onWait: (holder) =>
      hooks.onLockWait(`"${work.stageId}" waits: ${lockHolderText(holder, work.runId)}`),
  });
  if (!lock) return { outcome: "interrupted" };
  hooks.onLock(lock, true);
  try {
    // Another run may have produced it while we waited for the lock. A damaged
    // object is moved aside only here, under the lock, so that two runs never
    // both move it, and a concurrent run's fresh result is never moved away.
    const found = await ex.store.recheck(work.key);
    if (found.state === "present" && !work.forced) {
      return {
        outcome: "cached",
        digest: found.manifest.digest,
        outDir: found.outDir,
        reason: "produced by a concurrent run",
      };
    }
    if (found.state === "corrupt") {
      hooks.onCorrupt(found.reason, await ex.store.quarantine(work.key));
    }
    return await attempt(ex);
  } finally {
    hooks.onLock(lock, false);
    lock.release();
  }
}

/** Who holds the key's lock, as the note about waiting for it says. */
function lockHolderText(holder: LockHolder | undefined, runId: string): string {
  if (!holder) return "its key is being computed by another run";
  // Two expansions whose keys are equal (an axis the stage does not use) wait for each other.
  if (holder.runId === runId) return "another stage of this run has the same key and computes it";
  return `its key is being computed by run ${holder.runId} (pid ${holder.pid} on ${holder.host})`;
}

/**
 * The log to point a failure at, if the attempt wrote one: a shell stage's log
 * is created by its first output, so a silent stage has none.
 */
function logIfWritten(logPath: string): { logPath?: string } {
  try {
    Deno.statSync(logPath);
    return { logPath };
  } catch {
    return {};
  }
}

async function attempt(ex: StageExecution): Promise<ExecutionResult> {
  const { work, store, task, hooks } = ex;
  const { key, logPath } = work;
  const staging = await store.createStaging(key);
  const checkpointDir = store.layout.checkpointDir(key);
  const checkpoints = task.checkpoints ?? true;
  if (checkpoints) Deno.mkdirSync(checkpointDir, { recursive: true });
  let published = false;
  const metricsPath = logPath.replace(/\.log$/, ".metrics.jsonl");
  const exportPaths = metricsExportPaths(
    logPath,
    work.stageId,
    Math.floor(Date.now() / 1000),
    thisHost(),
  );
  let metrics = false;
  try {
    const job: TaskJob = {
      module: work.taskModule,
      taskName: work.taskName,
      stageId: work.stageId,
      key,
      params: work.params,
      upstream: work.upstream,
      outDir: staging.outDir,
      checkpointDir,
      logPath,
      metricsPath,
      eventsPath: exportPaths.events,
      cwd: work.workDir,
    };
    const slots = ex.slots ?? UNLIMITED_SLOTS;
    const stopped = await slots.acquire();
    if (stopped !== undefined) return { outcome: "skipped", reason: stopped };
    let result;
    let missing: string[] = [];
    try {
      hooks.onStart(logPath);
      result = await runAttempt(task, job, {
        progress: hooks.onProgress,
        metric: (record) => {
          metrics = true;
          hooks.onMetric(record);
        },
        facts: hooks.onFacts,
      }, ex.signal);
      if (result.ok) missing = missingOutputs(work.outputs, staging.outDir);
    } finally {
      // A failure is told with the slot, so that fail-fast starts no waiting stage.
      slots.release(
        result !== undefined && !result.ok && !result.interrupted || missing.length > 0,
      );
    }
    if (!result.ok) {
      return result.interrupted
        ? { outcome: "interrupted", ...logIfWritten(logPath) }
        : { outcome: "failed", message: result.message, ...logIfWritten(logPath) };
    }
    if (missing.length > 0) {
      const list = missing.map((m) => `"${m}"`).join(", ");
      return {
        outcome: "failed",
        message: `Stage did not produce its declared output ${list}`,
        ...logIfWritten(logPath),
      };
    }
    const manifest = await store.publish(staging, key);
    published = true;
    if (checkpoints) Deno.removeSync(checkpointDir, { recursive: true });
    return { outcome: "succeeded", digest: manifest.digest, outDir: store.outDir(key), logPath };
  } catch (error) {
    return {
      outcome: "failed",
      message: error instanceof Error ? error.message : String(error),
      ...logIfWritten(logPath),
    };
  } finally {
    if (!published) await Deno.remove(staging.root, { recursive: true }).catch(() => {});
    // Whatever the outcome: a failed attempt's curves are worth a look too. An export that
    // cannot be written costs the stage nothing; the attempt's log says why.
    if (metrics) {
      await writePlots(metricsPath, exportPaths.plots).catch((error) =>
        Deno.writeTextFile(
          logPath,
          `[${new Date().toISOString()}] warn Could not write "${exportPaths.plots}": ${
            (error as Error).message
          }\n`,
          { append: true },
        ).catch(() => {})
      );
    }
  }
}

function missingOutputs(declared: readonly string[], outDir: string): string[] {
  const missing: string[] = [];
  for (const output of declared) {
    try {
      Deno.statSync(join(outDir, output));
    } catch {
      missing.push(output);
    }
  }
  return missing;
}
