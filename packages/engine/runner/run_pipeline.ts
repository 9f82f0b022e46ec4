/**
 * The executor: drives the scheduler, keys each stage when its upstream is
 * done, reuses stored results and executes the rest with at most `jobs`
 * stages running at once, recording everything in the journal.
 */
import { canonicalJson } from "../util/canonical_json.ts";
import type {
  CompiledPipeline,
  CompiledStage,
  KeyedStage,
  StageGraph,
} from "../pipeline/compile.ts";
import { Journal, type StageRow, type StageUpdate } from "../journal/journal.ts";
import { newRunId } from "../journal/run_id.ts";
import type { RunState } from "../journal/schema.ts";
import { CacheError } from "../store/cache_error.ts";
import { FileDigests } from "../store/file_digests.ts";
import { pidAlive, type StageLock } from "../store/stage_lock.ts";
import { Store } from "../store/store.ts";
import { Semaphore } from "../util/semaphore.ts";
import { type StageWork, stageWork, type TaskSlots } from "./execute_stage.ts";
import type { Executor, JobInfo } from "./executor.ts";
import { LocalExecutor } from "./local_executor.ts";
import { prepareStage } from "./prepare_stage.ts";
import type { RunReporter, StageOutcome } from "./reporter.ts";
import { Scheduler } from "./scheduler.ts";

/** How to run a pipeline. */
export interface RunOptions {
  cacheDir: string;
  /** Stages executing at once (default: the executor's). */
  jobs?: number;
  keepGoing: boolean;
  /** Stage ids that run even when a result is stored. */
  forced: ReadonlySet<string>;
  /** Stage ids to consider (default: all). Must be closed under upstream. */
  selected?: ReadonlySet<string>;
  argv: string[];
  reporter: RunReporter;
  signal: AbortSignal;
  /** Where stages run (default: this machine). Built once the run id is known. */
  executor?: (run: { runId: string; store: Store }) => Executor;
}

/** How to run a graph from the cache: it is compiled only if a stage must execute. */
export interface GraphRunOptions extends RunOptions {
  compile(): Promise<CompiledPipeline>;
}

/** The run's totals. */
export interface RunSummary {
  runId: string;
  state: RunState;
  counts: Record<StageOutcome, number>;
  failures: { id: string; message: string; logPath?: string }[];
  ms: number;
}

const HEARTBEAT_MS = 5_000;

/**
 * Runs a compiled pipeline to completion, failure or interruption.
 *
 * @example
 * ```ts
 * const summary = await runPipeline(pipeline, { cacheDir: "cache", jobs: 2, ... });
 * ```
 */
export async function runPipeline(
  pipeline: CompiledPipeline,
  options: RunOptions,
): Promise<RunSummary>;
/** Runs a planning graph (see `loadStageGraph`), compiling it when a stage must execute. */
export async function runPipeline(
  pipeline: StageGraph,
  options: GraphRunOptions,
): Promise<RunSummary>;
export async function runPipeline(
  pipeline: StageGraph,
  options: RunOptions & { compile?: () => Promise<CompiledPipeline> },
): Promise<RunSummary> {
  const started = performance.now();
  const store = new Store(options.cacheDir);
  await store.prepare();
  const journal = new Journal(options.cacheDir);
  store.useIndex(journal.objects);
  const compile = options.compile ?? (() => Promise.resolve(pipeline as CompiledPipeline));
  const run = new PipelineRun(pipeline, options, store, journal, compile);
  try {
    return { ...(await run.execute()), ms: performance.now() - started };
  } finally {
    await run.executor.close();
    journal.close();
    const compiled = await run.compiledIfNeeded();
    for (const task of new Set(compiled?.stages.map((s) => s.task))) await task.dispose?.();
  }
}

class PipelineRun {
  readonly runId = newRunId();
  #stages: KeyedStage[];
  #results = new Map<string, { digest: string; outDir: string }>();
  #counts: Record<StageOutcome, number> = {
    succeeded: 0,
    cached: 0,
    failed: 0,
    skipped: 0,
    interrupted: 0,
  };
  #failures: RunSummary["failures"] = [];
  #locks = new Set<StageLock>();
  /** Stages between keying and their end: at most two per `--jobs` slot. */
  #claims: Semaphore;
  /** Tasks running: `--jobs`. */
  #running: Semaphore;
  #scheduler: Scheduler;
  #files: FileDigests;
  #lastProgress = new Map<string, number>();
  #facts = new Map<string, Record<string, string | number | boolean>>();
  readonly executor: Executor;
  #logDir: Promise<void> | undefined;
  /** The compiled pipeline, once a stage has had to execute. */
  #compiled: Promise<CompiledPipeline> | undefined;
  /** An error no stage owns (a damaged journal): the run stops and throws it. */
  #halted: { error: unknown } | undefined;

  constructor(
    readonly pipeline: StageGraph,
    readonly options: RunOptions,
    readonly store: Store,
    readonly journal: Journal,
    readonly compile: () => Promise<CompiledPipeline>,
  ) {
    this.#stages = pipeline.stages.filter((s) => !options.selected || options.selected.has(s.id));
    this.executor = options.executor?.({ runId: this.runId, store }) ?? new LocalExecutor(store);
    const jobs = Math.max(1, options.jobs ?? this.executor.defaultJobs);
    // One stage being prepared or published beside each running one keeps a
    // slot busy from one task to the next, without claiming every ready stage's lock.
    this.#claims = new Semaphore(2 * jobs);
    this.#running = new Semaphore(jobs);
    this.#scheduler = new Scheduler(this.#stages, options.keepGoing ? "keep-going" : "fail-fast");
    this.#files = new FileDigests(journal.fileStats, store.layout.root);
  }

  async execute(): Promise<Omit<RunSummary, "ms">> {
    this.journal.reapDeadRuns(Deno.hostname(), pidAlive);
    this.journal.startRun({
      id: this.runId,
      pipeline: this.pipeline.name,
      file: this.pipeline.file,
      argv: this.options.argv,
      host: Deno.hostname(),
      stages: this.#stages.map(stageRow),
    });
    const heartbeat = setInterval(() => this.#heartbeat(), HEARTBEAT_MS);
    const onAbort = () => this.#scheduler.stop("not started: the run was interrupted");
    this.options.signal.addEventListener("abort", onAbort, { once: true });
    try {
      await this.#loop();
    } finally {
      clearInterval(heartbeat);
      this.options.signal.removeEventListener("abort", onAbort);
    }
    if (this.#halted) throw this.#halted.error;
    for (const [id, reason] of this.#scheduler.skipReasons) {
      this.#counts.skipped++;
      this.journal.updateStage(this.runId, id, { state: "skipped", reason });
      this.options.reporter.finished(id, "skipped", { message: reason });
    }
    const state: RunState = this.options.signal.aborted
      ? "interrupted"
      : this.#counts.failed > 0
      ? "failed"
      : "succeeded";
    const noop = state === "succeeded" && this.#counts.cached === this.#stages.length;
    for (const pruned of this.journal.endRun(this.runId, state, { noop })) {
      // Only runs from before no-op runs wrote no log directory have one, and it is empty.
      await Deno.remove(this.store.layout.runLogDir(pruned)).catch(() => {});
    }
    return { runId: this.runId, state, counts: this.#counts, failures: this.#failures };
  }

  async #loop(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    // Woken by any stage that finishes; racing every in-flight promise instead
    // would cost O(n) per completion, O(n²) for a wide pipeline.
    let wake = () => {};
    while (this.#scheduler.active) {
      for (const id of this.#scheduler.take()) {
        const done: Promise<void> = this.#runStage(id).catch((error) => this.#halt(id, error))
          .finally(() => {
            inFlight.delete(done);
            wake();
          });
        inFlight.add(done);
      }
      if (inFlight.size > 0) await new Promise<void>((resolve) => wake = resolve);
    }
    await Promise.all(inFlight);
  }

  async #runStage(id: string): Promise<void> {
    const stage = this.pipeline.byId.get(id)!;
    const forced = this.options.forced.has(id);
    let prepared;
    try {
      prepared = await prepareStage(stage, {
        pipeline: this.pipeline,
        store: this.store,
        files: this.#files,
        history: this.journal,
        forced,
        upstreamDigests: new Map(stage.upstream.map((up) => [up, this.#results.get(up)!.digest])),
      });
    } catch (error) {
      // A damaged or unusable journal is no stage's failure: it stops the run (see #halt).
      if (error instanceof CacheError) throw error;
      return this.#fail(id, (error as Error).message);
    }
    const { key, decision, found } = prepared;
    if (decision.action === "reuse" && found.state === "present") {
      // Key inputs are recorded by the attempt that produced the result; a
      // reuse records only the key, keeping no-op runs' journal rows small.
      const reused = { key, reason: decision.reason };
      return this.#succeed(id, "cached", found.manifest.digest, found.outDir, reused);
    }
    this.journal.updateStage(this.runId, id, {
      key,
      keyInputs: prepared.recordedJson(),
      reason: decision.reason,
    });
    let compiled: CompiledStage;
    try {
      compiled = await this.#compiledStage(stage);
    } catch (error) {
      return this.#fail(id, (error as Error).message);
    }
    await this.#claims.acquire();
    try {
      const stopped = this.#stopReason();
      if (stopped !== undefined) return this.#skip(id, stopped);
      await this.#execute(compiled, key, forced, decision.reason);
    } finally {
      this.#claims.release();
    }
  }

  /** The compiled pipeline, when a stage had to execute (undefined: none did). */
  async compiledIfNeeded(): Promise<CompiledPipeline | undefined> {
    return await this.#compiled?.catch(() => undefined);
  }

  /** The executable form of a keyed stage: compiled with the whole pipeline, once. */
  async #compiledStage(keyed: KeyedStage): Promise<CompiledStage> {
    this.#compiled ??= this.compile();
    const stage = (await this.#compiled).byId.get(keyed.id);
    // The graph came from the cache, keyed by everything compiling reads: a
    // difference means the code changed without its files' stat showing it.
    if (
      !stage || stage.keyParamsJson !== keyed.keyParamsJson ||
      stage.task.version !== keyed.task.version
    ) {
      throw new Error(
        "The pipeline compiles differently from its stored graph: run `deno task gc` (it clears the stored graphs) and run again",
      );
    }
    return stage;
  }

  /** The `--jobs` slots as stage `id` takes them. */
  #taskSlots(id: string): TaskSlots {
    return {
      acquire: async () => {
        await this.#running.acquire();
        const stopped = this.#stopReason();
        if (stopped !== undefined) this.#running.release();
        return stopped;
      },
      release: (failed) => {
        // Known now, before the result is recorded: no waiting stage may start meanwhile.
        if (failed) this.#scheduler.fail(id);
        this.#running.release();
      },
    };
  }

  /** Why a stage handed out before a failure or Ctrl-C stopped the run must not start. */
  #stopReason(): string | undefined {
    return this.options.signal.aborted
      ? "not started: the run was interrupted"
      : this.#scheduler.stopReason;
  }

  async #execute(
    stage: CompiledStage,
    key: string,
    forced: boolean,
    reason: string,
  ): Promise<void> {
    const id = stage.id;
    // Every attempt's log goes here: made once, by the first stage that
    // executes, so that a no-op run leaves no directory behind.
    this.#logDir ??= Deno.mkdir(this.store.layout.runLogDir(this.runId), { recursive: true });
    await this.#logDir;
    let work: StageWork;
    try {
      work = stageWork(stage, {
        key,
        runId: this.runId,
        store: this.store,
        forced,
        workDir: this.pipeline.dir,
        outDirOf: (up) => this.#results.get(up)!.outDir,
      });
    } catch (error) {
      return this.#fail(id, (error as Error).message);
    }
    let startedAt = Date.now();
    const result = await this.executor.execute(
      { work, task: stage.task, resources: stage.resources, slots: this.#taskSlots(id) },
      {
        onStart: (logPath) => {
          startedAt = Date.now();
          this.journal.updateStage(this.runId, id, {
            state: "running",
            startedAt,
            logPath,
            reason,
            executor: this.executor.name,
          });
          this.options.reporter.started(id);
        },
        onProgress: (progress) => this.#progress(id, progress),
        onMetric: (record) => this.journal.addMetrics(this.runId, id, record),
        onFacts: (facts) => this.#recordFacts(id, facts),
        onLockWait: (message) => this.options.reporter.note(message),
        onLock: (lock, held) => held ? this.#locks.add(lock) : this.#locks.delete(lock),
        onCorrupt: (why, moved) =>
          this.options.reporter.note(
            `Stored result of "${id}" is corrupted (${why}); moved to ${moved} and recomputing`,
          ),
        onJob: (job) => this.#recordJob(id, job),
      },
      this.options.signal,
    );
    const ms = ("ms" in result ? result.ms : undefined) ?? Date.now() - startedAt;
    if (result.outcome === "succeeded") {
      return this.#succeed(id, "succeeded", result.digest, result.outDir, {
        reason,
        endedAt: Date.now(),
      }, ms);
    }
    if (result.outcome === "cached") {
      return this.#succeed(id, "cached", result.digest, result.outDir, { reason: result.reason });
    }
    if (result.outcome === "skipped") return this.#skip(id, result.reason);
    if (result.outcome === "interrupted") {
      this.#scheduler.fail(id);
      this.#counts.interrupted++;
      this.journal.updateStage(this.runId, id, { state: "interrupted", endedAt: Date.now() });
      this.options.reporter.finished(id, "interrupted", { ms });
      return;
    }
    this.#fail(id, result.message, result.logPath, ms);
  }

  #succeed(
    id: string,
    outcome: "succeeded" | "cached",
    digest: string,
    outDir: string,
    update: StageUpdate,
    ms?: number,
  ) {
    this.#results.set(id, { digest, outDir });
    this.#scheduler.succeed(id);
    this.#counts[outcome]++;
    // One row update per stage: a no-op run of 10,000 stages writes 10,000, not 20,000.
    this.journal.updateStage(this.runId, id, {
      ...update,
      state: outcome,
      digest,
      outPath: outDir,
      progress: null,
    });
    this.options.reporter.finished(id, outcome, ms === undefined ? {} : { ms });
  }

  #fail(id: string, rawMessage: string, logPath?: string, ms?: number): void {
    const message = this.#namingUpstream(id, rawMessage);
    this.#scheduler.fail(id);
    // Fail-fast: what an executor has queued but not started is dropped too.
    const stopped = this.#scheduler.stopReason;
    if (stopped !== undefined) this.executor.stop?.(stopped);
    this.#counts.failed++;
    this.#failures.push({ id, message, ...(logPath ? { logPath } : {}) });
    this.journal.updateStage(this.runId, id, {
      state: "failed",
      error: message,
      endedAt: Date.now(),
      progress: null,
    });
    this.options.reporter.finished(id, "failed", {
      message,
      ...(logPath ? { logPath } : {}),
      ...(ms === undefined ? {} : { ms }),
    });
  }

  /** Starts no more stages and lets running ones end; `execute` then throws `error`. */
  #halt(id: string, error: unknown): void {
    this.#halted ??= { error };
    // Finished in the scheduler, or the loop would wait for it forever.
    this.#scheduler.fail(id);
    this.#scheduler.stop("not started: the run stopped on an error");
    this.executor.stop?.("not started: the run stopped on an error");
  }

  /**
   * `message` with each upstream output directory it quotes shown as `<stage id>`:
   * a task knows its inputs only as cache paths, the user knows them by stage.
   */
  #namingUpstream(id: string, message: string): string {
    let named = message;
    for (const up of this.pipeline.byId.get(id)?.upstream ?? []) {
      const outDir = this.#results.get(up)?.outDir;
      if (outDir && named.includes(outDir)) named = named.replaceAll(outDir, `<${up}>`);
    }
    return named;
  }

  #skip(id: string, reason: string): void {
    this.#scheduler.fail(id);
    this.#counts.skipped++;
    this.journal.updateStage(this.runId, id, { state: "skipped", reason });
    this.options.reporter.finished(id, "skipped", { message: reason });
  }

  #progress(id: string, progress: import("@dropline/task").Progress): void {
    this.options.reporter.progress(id, progress);
    const now = Date.now();
    if (now - (this.#lastProgress.get(id) ?? 0) < 500) return;
    this.#lastProgress.set(id, now);
    this.journal.updateStage(this.runId, id, { progress: JSON.stringify(progress) });
  }

  #recordFacts(id: string, facts: Record<string, string | number | boolean>): void {
    const merged = { ...this.#facts.get(id), ...facts };
    this.#facts.set(id, merged);
    this.journal.updateStage(this.runId, id, { facts: JSON.stringify(merged) });
  }

  /** A job the stage runs in was submitted, re-attached to, or changed state. */
  #recordJob(id: string, job: JobInfo): void {
    // Set from submission on, so a stage still queued shows where it will run.
    this.journal.updateStage(this.runId, id, { executor: job.executor });
    this.journal.recordJob(this.runId, id, job);
  }

  #heartbeat(): void {
    this.journal.heartbeat(this.runId);
    for (const lock of this.#locks) lock.touch();
  }
}

function stageRow(stage: KeyedStage): StageRow {
  return {
    stageId: stage.id,
    stageName: stage.name,
    seq: stage.seq,
    matrix: canonicalJson(stage.matrix),
    task: stage.task.name,
    taskVersion: stage.task.version,
    needs: JSON.stringify(stage.upstream),
    params: stage.keyParamsJson,
    state: "pending",
    reason: stage.upstream.length ? "waiting for upstream stages" : "waiting to start",
  };
}
