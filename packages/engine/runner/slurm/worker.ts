/**
 * The entry point of a Slurm job: runs the stages of its spec one after
 * another through the same `executeStage` as a local run (key lock, staging,
 * atomic publish, checkpoints, task host, logs and metrics), and leaves for
 * each stage an events file and an exit-status file in the shared cache.
 *
 *   deno run -A --config deno.json worker.ts <cache>/slurm/<run>/<n>/spec.json
 *
 * On SIGTERM (scancel, time limit, preemption) the running stage is
 * interrupted and keeps its checkpoints; a resubmitted job skips the stages
 * that already have a final status and resumes the others. Without
 * `--keep-going` (the spec says), a failed stage ends the job: the stages
 * after it get a `skipped` status instead of running.
 *
 * Exit codes: 0 every stage succeeded, 1 a stage failed, 130 interrupted.
 */
import type { Progress, Task } from "@dropline/task";
import type { StageLock } from "../../store/stage_lock.ts";
import { Store } from "../../store/store.ts";
import { executeStage, type ExecutionResult, type StageWork } from "../execute_stage.ts";
import { failFastReason } from "../scheduler.ts";
import {
  jobPaths,
  type JobSpec,
  readJson,
  type StageStatus,
  type WorkerEvent,
  writeJsonAtomic,
} from "./job_files.ts";

const HEARTBEAT_MS = 5_000;
const PROGRESS_EVERY_MS = 500;

async function main(specPath: string): Promise<number> {
  const spec = JSON.parse(Deno.readTextFileSync(specPath)) as JobSpec;
  const jobId = Deno.env.get("SLURM_JOB_ID") ?? "unknown";
  const node = Deno.hostname();
  const controller = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(signal, () => controller.abort());
  }
  const locks = new Set<StageLock>();
  const heartbeat = setInterval(() => locks.forEach((lock) => lock.touch()), HEARTBEAT_MS);
  const store = new Store(spec.cacheDir);
  let failed: string | undefined;
  try {
    for (const [index, work] of spec.stages.entries()) {
      const statusPath = jobPaths.status(spec.jobDir, index);
      const previous = readJson<StageStatus>(statusPath);
      if (previous && previous.outcome !== "interrupted" && previous.outcome !== "skipped") {
        if (previous.outcome === "failed") failed ??= work.stageId;
        continue; // a resubmitted job
      }
      if (controller.signal.aborted) break;
      if (failed !== undefined && !spec.keepGoing) {
        // Fail-fast, as in a local run: the driver reads this as "skipped".
        const reason = failFastReason(failed);
        const skipped: StageStatus = { outcome: "skipped", reason, jobId, node, ms: 0 };
        writeJsonAtomic(statusPath, skipped);
        continue;
      }
      const emit = eventWriter(jobPaths.events(spec.jobDir, index));
      const started = Date.now();
      // Also the proof that this node sees the cache directory.
      emit({ type: "started", jobId, node, at: started });
      const result = await runStage(work, { store, emit, locks, signal: controller.signal });
      const status: StageStatus = { ...result, jobId, node, ms: Date.now() - started };
      writeJsonAtomic(statusPath, status);
      if (result.outcome === "failed") failed ??= work.stageId;
    }
  } finally {
    clearInterval(heartbeat);
  }
  return controller.signal.aborted ? 130 : failed !== undefined ? 1 : 0;
}

interface StageRun {
  store: Store;
  emit: (event: WorkerEvent) => void;
  locks: Set<StageLock>;
  signal: AbortSignal;
}

async function runStage(work: StageWork, run: StageRun): Promise<ExecutionResult> {
  try {
    Deno.statSync(work.workDir);
  } catch {
    return {
      outcome: "failed",
      message:
        `The pipeline directory "${work.workDir}" does not exist on node ${Deno.hostname()}: ` +
        "it must be on a filesystem the compute nodes share",
    };
  }
  let task: Task;
  try {
    task = (await import(work.taskModule)).default as Task;
  } catch (error) {
    return {
      outcome: "failed",
      message: `Cannot load task "${work.taskName}" on node ${Deno.hostname()}: ${
        (error as Error).message
      }`,
    };
  }
  // At most one progress line per PROGRESS_EVERY_MS, but never without the last one.
  let lastProgress = 0;
  let unsent: Progress | undefined;
  try {
    return await executeStage({
      work,
      task,
      store: run.store,
      signal: run.signal,
      hooks: {
        onStart: () => {},
        onProgress: (progress) => {
          const now = Date.now();
          unsent = progress;
          if (now - lastProgress < PROGRESS_EVERY_MS) return;
          lastProgress = now;
          unsent = undefined;
          run.emit({ type: "progress", progress });
        },
        onMetric: (record) => run.emit({ type: "metric", record }),
        onFacts: (facts) => run.emit({ type: "facts", facts }),
        onLockWait: (message) => run.emit({ type: "note", message }),
        onLock: (lock, held) => held ? run.locks.add(lock) : run.locks.delete(lock),
        onCorrupt: (why, moved) =>
          run.emit({
            type: "note",
            message: `Stored result of "${work.stageId}" is corrupted (${why}); moved to ${moved}`,
          }),
      },
    });
  } finally {
    if (unsent) run.emit({ type: "progress", progress: unsent });
  }
}

function eventWriter(path: string): (event: WorkerEvent) => void {
  const encoder = new TextEncoder();
  return (event) =>
    Deno.writeFileSync(path, encoder.encode(JSON.stringify(event) + "\n"), { append: true });
}

if (import.meta.main) {
  const [specPath] = Deno.args;
  if (!specPath) {
    console.error("usage: worker.ts <spec.json>");
    Deno.exit(2);
  }
  Deno.exit(await main(specPath));
}
