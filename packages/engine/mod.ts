/**
 * The pipeline engine: YAML pipelines compiled to a DAG of stages (`pipeline/`), content-addressed
 * keys, planning, scheduling and execution (`runner/`), the store of published outputs and stage locks
 * (`store/`), and the run journal (`journal/`). It knows tasks only through the contract in `@dropline/task`;
 * it never imports a task, the ML packages or the tensor runtime.
 *
 * @module
 */
export type { JournalHistory, PastAttempt, RunnerAlive } from "./journal/history.ts";
export { Journal } from "./journal/journal.ts";
export type {
  JobReport,
  JournalOptions,
  NewRun,
  StageRow,
  StageUpdate,
} from "./journal/journal.ts";
export { JournalReader } from "./journal/journal_reader.ts";
export type {
  EventRecord,
  MetricSeries,
  RunRecord,
  StageBrief,
  StageExecution,
  StageJob,
  StageRecord,
  StateCounts,
} from "./journal/records.ts";
export type { ListRunsOptions } from "./journal/run_queries.ts";
export { newRunId } from "./journal/run_id.ts";
export { JOURNAL_SCHEMA_VERSION, RUN_STATES, STAGE_STATES } from "./journal/schema.ts";
export type { RunState, StageState } from "./journal/schema.ts";
export { compilePipeline } from "./pipeline/compile.ts";
export { EXECUTOR_NAMES } from "./pipeline/definition.ts";
export type { ExecutorName } from "./pipeline/definition.ts";
export type {
  CompiledPipeline,
  CompiledStage,
  KeyedStage,
  StageGraph,
} from "./pipeline/compile.ts";
export { ancestors } from "./pipeline/graph.ts";
export { loadPipeline, loadStageGraph } from "./pipeline/load.ts";
export type { LoadedGraph, LoadOptions } from "./pipeline/load.ts";
export { OverrideError } from "./pipeline/overrides.ts";
export { PipelineError } from "./pipeline/problem.ts";
export type { Executor, JobInfo } from "./runner/executor.ts";
export { LocalExecutor } from "./runner/local_executor.ts";
export { planPipeline } from "./runner/plan.ts";
export type { PlannedStage } from "./runner/plan.ts";
export type { RunReporter, StageOutcome } from "./runner/reporter.ts";
export { runPipeline } from "./runner/run_pipeline.ts";
export type { RunSummary } from "./runner/run_pipeline.ts";
export { SlurmExecutor } from "./runner/slurm/slurm_executor.ts";
export { DEFAULT_STALE_AFTER_MS, isStale, pidAlive } from "./store/stage_lock.ts";
export type { LockHolder } from "./store/stage_lock.ts";
export { exists, Store } from "./store/store.ts";
export { assertCacheDir, CacheError } from "./store/cache_error.ts";
export { CACHE_ENTRIES, CacheLayout, DEFAULT_CACHE_DIR } from "./store/cache_layout.ts";
export type { CacheDir } from "./store/cache_layout.ts";
export { collectGarbage } from "./store/collect_garbage.ts";
export type { GarbageReport } from "./store/collect_garbage.ts";

/**
 * Sweep tables: {@linkcode readSweep} gives one row per stage expansion of a
 * run (stage, matrix values, params, headline metrics, state, duration) from
 * the journal and the published outputs; {@linkcode varyingParams} picks the
 * params that tell rows apart; {@linkcode diffSweeps} compares two runs' rows.
 * Used by `exp`, `diff` and the dashboard.
 *
 * @example
 * ```ts
 * const rows = await readSweep(new JournalReader("cache"), runId, { tasks: TASKS });
 * const columns = varyingParams(rows.filter((r) => r.name === "finetune"));
 * ```
 */
export { readSweep } from "./sweep/read_sweep.ts";
export type { HeadlineSource, ReadSweepOptions, SweepRow } from "./sweep/read_sweep.ts";
export { flattenParams, varyingParams } from "./sweep/varying_params.ts";
export { diffSweeps } from "./sweep/diff_sweeps.ts";
export type { Rerun, StageChange, SweepDiff, ValueChange } from "./sweep/diff_sweeps.ts";

export { parseFlags } from "./util/command_flags.ts";
export type { FlagSpec, FlagSpecs, ParsedFlags } from "./util/command_flags.ts";
export { didYouMean } from "./util/suggest.ts";
export { fileUrlPath } from "./util/posix_path.ts";
export { UsageError } from "./util/usage_error.ts";
