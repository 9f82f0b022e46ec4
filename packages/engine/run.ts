/**
 * What `run`, `status` and `why` use of the engine: loading, planning, running
 * locally, the store and the journal's reader. The Slurm executor, sweeps,
 * garbage collection and the compiler (imported only when a file is compiled)
 * are left out, so these commands load a third fewer modules than with the
 * whole engine (`@dropline/engine`, which re-exports all of this).
 *
 * @module
 */
export { JournalReader } from "./journal/journal_reader.ts";
export type { StageExecution } from "./journal/records.ts";
export type { CompiledPipeline, KeyedStage, StageGraph } from "./pipeline/compile.ts";
export { EXECUTOR_NAMES } from "./pipeline/definition.ts";
export type { ExecutorName } from "./pipeline/definition.ts";
export { ancestors } from "./pipeline/graph.ts";
export { loadPipeline, loadStageGraph } from "./pipeline/load.ts";
export type { LoadedGraph, LoadOptions } from "./pipeline/load.ts";
export { OverrideError } from "./pipeline/overrides.ts";
export { PipelineError } from "./pipeline/problem.ts";
export type { Executor } from "./runner/executor.ts";
export { LocalExecutor } from "./runner/local_executor.ts";
export { planPipeline } from "./runner/plan.ts";
export type { PlannedStage } from "./runner/plan.ts";
export type { RunReporter, StageOutcome } from "./runner/reporter.ts";
export { runPipeline } from "./runner/run_pipeline.ts";
export { DEFAULT_STALE_AFTER_MS, isStale, pidAlive } from "./store/stage_lock.ts";
export type { LockHolder } from "./store/stage_lock.ts";
export { Store } from "./store/store.ts";
export { assertCacheDir, CacheError } from "./store/cache_error.ts";
export { CacheLayout } from "./store/cache_layout.ts";
export { parseFlags } from "./util/command_flags.ts";
export type { FlagSpec, FlagSpecs, ParsedFlags } from "./util/command_flags.ts";
export { didYouMean } from "./util/suggest.ts";
export { fileUrlPath } from "./util/posix_path.ts";
export { UsageError } from "./util/usage_error.ts";
