/**
 * What the pipeline commands read from their flags: the cache directory and
 * the pipeline compiled with its `--set` overrides.
 */
import {
  assertCacheDir,
  CacheLayout,
  type CompiledPipeline,
  fileUrlPath,
  type LoadedGraph,
  type LoadOptions,
  loadPipeline,
  loadStageGraph,
} from "@dropline/engine/run";
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
 * overrides; with `cacheDir`, an unchanged file is not parsed again and its
 * compiled graph is kept for {@link loadGraphArg} (see
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
  return loadPipeline(file, loadOptions(values, cacheDir, onParseUnstored));
}

/**
 * What planning needs of the pipeline file: with `cacheDir`, the graph an
 * earlier command compiled from the same file, flags and code (no task is
 * imported, nothing is compiled), else the file compiled.
 *
 * @example
 * ```ts
 * const { graph, compile } = await loadGraphArg("pipelines/demo.yaml", {}, "/abs/cache");
 * ```
 */
export function loadGraphArg(
  file: string,
  values: { set?: string[] | undefined },
  cacheDir?: string,
  onParseUnstored?: (store: () => void) => void,
): Promise<LoadedGraph> {
  return loadStageGraph(file, loadOptions(values, cacheDir, onParseUnstored));
}

function loadOptions(
  values: { set?: string[] | undefined },
  cacheDir: string | undefined,
  onParseUnstored: ((store: () => void) => void) | undefined,
): LoadOptions {
  // Only the tasks the file names are imported: most of the CLI's start-up otherwise.
  return {
    loadTasks,
    taskNames: TASK_NAMES,
    overrides: values.set ?? [],
    ...(cacheDir
      ? { parsedCache: new CacheLayout(cacheDir).dir("parsed"), ...withCode(codePaths()) }
      : {}),
    ...(onParseUnstored ? { onParseUnstored } : {}),
  };
}

const withCode = (code: string[] | undefined) => code ? { code } : {};

/**
 * Where the code that compiles a pipeline lives: the packages and tasks, the
 * import map and lock file (library versions). None when not run from files.
 */
function codePaths(): string[] | undefined {
  const root = new URL("../../", import.meta.url);
  if (root.protocol !== "file:") return undefined;
  return ["packages", "tasks", "deno.json", "deno.lock"]
    .map((path) => fileUrlPath(new URL(path, root)));
}
