/**
 * Runs a task in a test without the engine: a hand-built `TaskContext` with
 * fresh temporary directories that collects logs, progress and metrics.
 *
 * @example
 * ```ts
 * import { runTask } from "./test_context.ts";
 * import { TASKS } from "@dropline/tasks"; const download = TASKS.get("download")!;
 *
 * await using run = await runTask(download, { url: `${server.url}PACS.zip`, extract: "zip" });
 * console.log(run.outDir, run.warnings, run.progress.at(-1));
 * ```
 * @module
 */
import type { Progress, Task, TaskContext } from "@dropline/task";

/** Options of {@link makeTestContext} and {@link runTask}. */
export interface TestContextOptions {
  /** Reuse a checkpoint directory (to test resume); default a fresh one. */
  checkpointDir?: string;
  /** Upstream output directories by stage id. */
  upstream?: Record<string, string>;
  signal?: AbortSignal;
  stageId?: string;
  /** The pipeline's directory, which relative paths are resolved against; default unset. */
  workDir?: string;
}

/** A test context and what the task reported through it. */
export interface TestContext<P> extends AsyncDisposable {
  ctx: TaskContext<P>;
  /** Root temporary directory holding out/, checkpoint/ and the log. */
  root: string;
  outDir: string;
  checkpointDir: string;
  infos: string[];
  warnings: string[];
  progress: Progress[];
  metrics: ({ step: number } & Record<string, number>)[];
  /** Removes the temporary directories. */
  cleanup(): Promise<void>;
}

/**
 * A context for calling `task.run(ctx)` directly with already-parsed params.
 *
 * @example
 * ```ts
 * await using t = await makeTestContext(task.schema.parse({ url }));
 * await task.run(t.ctx);
 * ```
 */
export async function makeTestContext<P>(
  params: P,
  options: TestContextOptions = {},
): Promise<TestContext<P>> {
  const root = await Deno.makeTempDir({ prefix: "dropline_test_" });
  const outDir = `${root}/out`;
  const checkpointDir = options.checkpointDir ?? `${root}/checkpoint`;
  await Deno.mkdir(outDir);
  await Deno.mkdir(checkpointDir, { recursive: true });
  const infos: string[] = [];
  const warnings: string[] = [];
  const progress: Progress[] = [];
  const metrics: TestContext<P>["metrics"] = [];
  const ctx: TaskContext<P> = {
    stageId: options.stageId ?? "test",
    key: "0".repeat(64),
    params,
    upstream: options.upstream ?? {},
    outDir,
    checkpointDir,
    log: { info: (m) => infos.push(m), warn: (m) => warnings.push(m) },
    logPath: `${root}/attempt.log`,
    progress: (p) => progress.push({ ...p }),
    metrics: (record) => metrics.push(record),
    signal: options.signal ?? new AbortController().signal,
    ...(options.workDir ? { workDir: options.workDir } : {}),
  };
  const cleanup = () => Deno.remove(root, { recursive: true }).catch(() => {});
  return {
    ctx,
    root,
    outDir,
    checkpointDir,
    infos,
    warnings,
    progress,
    metrics,
    cleanup,
    [Symbol.asyncDispose]: cleanup,
  };
}

/**
 * Parses `with` through the task's schema (as the engine does), then runs it.
 * Rejects with the task's error; the context is cleaned up in that case
 * unless `keepOnError` is set.
 *
 * @example
 * ```ts
 * await using run = await runTask(imageFolder, { input: dir, size: 16 });
 * const info = JSON.parse(await Deno.readTextFile(`${run.outDir}/dataset.json`));
 * ```
 */
export async function runTask(
  task: Task,
  withParams: Record<string, unknown>,
  options: TestContextOptions & { keepOnError?: boolean } = {},
): Promise<TestContext<unknown>> {
  const context = await makeTestContext(task.schema.parse(withParams), options);
  try {
    await task.run(context.ctx);
  } catch (error) {
    if (!options.keepOnError) await context.cleanup();
    throw error;
  }
  return context;
}
