/**
 * Executes one stage whose key is known and which must run: takes the key's
 * lock, runs the task in a staging directory, checks its declared outputs and
 * publishes them atomically.
 */
import { join } from "node:path";
import { hostname } from "node:os";
import type { CompiledStage } from "../pipeline/compile.ts";
import { acquireLock, type StageLock } from "../store/stage_lock.ts";
import type { Store } from "../store/store.ts";
import type { Progress } from "@dropline/task";
import { runAttempt } from "./run_attempt.ts";
import type { TaskJob } from "./task_context.ts";

/** What executing a stage needs from the run. */
export interface StageExecution {
  stage: CompiledStage;
  key: string;
  runId: string;
  workDir: string;
  store: Store;
  /** Published output dir of each upstream stage. */
  outDirOf: (id: string) => string;
  /** True when the stage must run even if a result appears meanwhile. */
  forced: boolean;
  signal: AbortSignal;
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

/** How the execution ended. */
export type ExecutionResult =
  | { outcome: "succeeded"; digest: string; outDir: string; logPath: string }
  | { outcome: "cached"; digest: string; outDir: string; reason: string }
  | { outcome: "failed"; message: string; logPath?: string }
  | { outcome: "interrupted"; logPath?: string };

/**
 * Runs the stage under its key's lock and publishes its output.
 *
 * @example
 * ```ts
 * const result = await executeStage({ stage, key, runId, ... });
 * ```
 */
export async function executeStage(ex: StageExecution): Promise<ExecutionResult> {
  const lock = await acquireLock(ex.store.layout.lockPath(ex.key), {
    pid: Deno.pid,
    host: hostname(),
    runId: ex.runId,
  }, {
    signal: ex.signal,
    onWait: (holder) =>
      ex.onLockWait(
        `"${ex.stage.id}" waits: its key is being computed by ${
          holder ? `run ${holder.runId} (pid ${holder.pid} on ${holder.host})` : "another run"
        }`,
      ),
  });
  if (!lock) return { outcome: "interrupted" };
  ex.onLock(lock, true);
  try {
    // Another run may have produced it while we waited for the lock. A damaged
    // object is moved aside only here, under the lock, so that two runs never
    // both move it, and a concurrent run's fresh result is never moved away.
    const found = await ex.store.lookup(ex.key);
    if (found.state === "present" && !ex.forced) {
      return {
        outcome: "cached",
        digest: found.manifest.digest,
        outDir: found.outDir,
        reason: "produced by a concurrent run",
      };
    }
    if (found.state === "corrupt") ex.onCorrupt(found.reason, await ex.store.quarantine(ex.key));
    return await attempt(ex);
  } finally {
    ex.onLock(lock, false);
    lock.release();
  }
}

async function attempt(ex: StageExecution): Promise<ExecutionResult> {
  const { stage, store, key } = ex;
  const logPath = store.layout.logPath(ex.runId, stage.seq);
  const staging = await store.createStaging(key);
  const checkpointDir = store.layout.checkpointDir(key);
  const checkpoints = stage.task.checkpoints ?? true;
  if (checkpoints) Deno.mkdirSync(checkpointDir, { recursive: true });
  let published = false;
  try {
    const params = stage.params(ex.outDirOf);
    const upstream = Object.fromEntries(stage.upstream.map((id) => [id, ex.outDirOf(id)]));
    const job: TaskJob = {
      module: stage.task.module,
      taskName: stage.task.name,
      stageId: stage.id,
      key,
      params,
      upstream,
      outDir: staging.outDir,
      checkpointDir,
      logPath,
      metricsPath: logPath.replace(/\.log$/, ".metrics.jsonl"),
      cwd: ex.workDir,
    };
    ex.onStart(logPath);
    const result = await runAttempt(stage.task, job, {
      progress: ex.onProgress,
      metric: ex.onMetric,
      facts: ex.onFacts,
    }, ex.signal);
    if (!result.ok) {
      return result.interrupted
        ? { outcome: "interrupted", logPath }
        : { outcome: "failed", message: result.message, logPath };
    }
    const missing = missingOutputs(stage.task.outputs(params), staging.outDir);
    if (missing.length > 0) {
      const list = missing.map((m) => `"${m}"`).join(", ");
      return {
        outcome: "failed",
        message: `Stage did not produce its declared output ${list}`,
        logPath,
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
      logPath,
    };
  } finally {
    if (!published) await Deno.remove(staging.root, { recursive: true }).catch(() => {});
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
