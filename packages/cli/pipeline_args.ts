/**
 * What the pipeline commands read from their flags: the cache directory and
 * the pipeline compiled with its `--set` overrides.
 */
import { assertCacheDir, CacheLayout, type CompiledPipeline, loadPipeline } from "@dropline/engine";
import { loadTasks, TASK_NAMES } from "@dropline/tasks/lazy";

/**
 * The absolute cache directory (`--cache-dir`, default `./cache`); a
 * `CacheError` when it names a file.
 *
 * @example
 * ```ts
 * cacheDirOf({ "cache-dir": "/data/cache" }); // "/data/cache"
 * ```
 */
export function cacheDirOf(values: { "cache-dir"?: string | undefined }): string {
  const { root } = new CacheLayout(values["cache-dir"]);
  assertCacheDir(root);
  return root;
}

/**
 * Loads and compiles the pipeline file with the built-in tasks and the `--set`
 * overrides; with `cacheDir`, an unchanged file is not parsed again (see
 * `LoadOptions.onParseUnstored` for a cache directory not made yet).
 *
 * @example
 * ```ts
 * const pipeline = await loadPipelineArg("pipelines/demo.yaml", { set: ["params.n=5"] }, "/abs/cache");
 * ```
 */
export function loadPipelineArg(
  file: string,
  values: { set?: string[] | undefined },
  cacheDir?: string,
  onParseUnstored?: (store: () => void) => void,
): Promise<CompiledPipeline> {
  // Only the tasks the file names are imported: most of the CLI's start-up otherwise.
  return loadPipeline(file, {
    loadTasks,
    taskNames: TASK_NAMES,
    overrides: values.set ?? [],
    ...(cacheDir ? { parsedCache: new CacheLayout(cacheDir).dir("parsed") } : {}),
    ...(onParseUnstored ? { onParseUnstored } : {}),
  });
}
