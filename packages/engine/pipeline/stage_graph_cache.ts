/**
 * Compiled stage graphs, kept beside the parsed files
 * (`parsed/<sha256>.graph.json`), so that a command that only plans -
 * `status`, `why`, a run that reuses every result - neither imports the tasks
 * (their schemas were a fifth of a no-op run) nor expands and renders the
 * stages again. An entry is found by the hash of what compiling reads from
 * outside the code - the file's text and real path, the `--set` flags, the
 * limits, the Deno version - and holds the stamp of the code's files (see
 * `sourceStamp`): it is used only while they are unchanged. Environment facts
 * (`Task.environment`) describe this machine, so they are asked of the task
 * again on every load.
 */
import type { Task } from "@dropline/task";
import { canonicalJson } from "../util/canonical_json.ts";
import { sha256Hex } from "../util/sha256_hex.ts";
import type { CompiledPipeline, KeyedStage, StageGraph } from "./compile.ts";
import type { ExecutorName } from "./definition.ts";
import type { PipelineLimits } from "./limits.ts";
import type { Combination } from "./matrix.ts";
import type { Resources } from "./resources.ts";

/** Bump when what is stored changes. */
const GRAPH_FORMAT = 1;

/** Everything a compiled graph depends on. */
export interface GraphInputs {
  text: string;
  /** The pipeline file's real path (relative paths in it resolve against its directory). */
  realFile: string;
  /** The `--set` flags as given. */
  overrides: readonly string[];
  limits: PipelineLimits;
}

/** The code a graph was compiled by: its source files and their stamp. */
export interface CodeStamp {
  files: string[];
  stamp: string;
}

/** A graph as stored: tasks by name, keyed params as their canonical JSON. */
export interface StoredGraph {
  format: number;
  name: string;
  file: string;
  dir: string;
  params: Record<string, unknown>;
  executor?: ExecutorName;
  code: CodeStamp;
  /** Each task's version, and whether it declares environment facts. */
  tasks: Record<string, { version: number; environment: boolean }>;
  stages: StoredStage[];
}

interface StoredStage {
  id: string;
  name: string;
  task: string;
  matrix: Combination;
  upstream: string[];
  keyParamsJson: string;
  usedParams: Record<string, unknown>;
  inputFiles: string[];
  resources: Resources;
}

/**
 * The entry's file for a graph compiled from `inputs`.
 *
 * @example
 * ```ts
 * graphCachePath("/abs/cache/parsed", { text, realFile, overrides: [], limits }); // ".../9a...graph.json"
 * ```
 */
export function graphCachePath(dir: string, inputs: GraphInputs): string {
  const key = { format: GRAPH_FORMAT, deno: Deno.version.deno, ...inputs };
  return `${dir}/${sha256Hex(canonicalJson(key))}.graph.json`;
}

/**
 * What is stored of a pipeline compiled by `code`. Pure.
 *
 * @example
 * ```ts
 * writeParsed(path, storedGraph(pipeline, { files, stamp: sourceStamp(files) }));
 * ```
 */
export function storedGraph(pipeline: CompiledPipeline, code: CodeStamp): StoredGraph {
  const tasks: StoredGraph["tasks"] = {};
  for (const { task } of pipeline.stages) {
    tasks[task.name] ??= { version: task.version, environment: task.environment !== undefined };
  }
  return {
    format: GRAPH_FORMAT,
    name: pipeline.name,
    file: pipeline.file,
    dir: pipeline.dir,
    params: pipeline.params,
    ...(pipeline.executor ? { executor: pipeline.executor } : {}),
    code,
    tasks,
    stages: pipeline.stages.map((stage) => ({
      id: stage.id,
      name: stage.name,
      task: stage.task.name,
      matrix: stage.matrix,
      upstream: stage.upstream,
      keyParamsJson: stage.keyParamsJson,
      usedParams: stage.usedParams,
      inputFiles: stage.inputFiles,
      resources: stage.resources,
    })),
  };
}

/** The names of the stored graph's tasks that declare environment facts. */
export function tasksWithEnvironment(stored: StoredGraph): string[] {
  return Object.entries(stored.tasks).filter(([, t]) => t.environment).map(([name]) => name);
}

/**
 * The planning graph of a stored entry; `tasks` holds (at least) the tasks
 * that declare environment facts, which are asked again here. Undefined when
 * the entry is not in this format or a task's version differs from the one
 * compiled with.
 *
 * @example
 * ```ts
 * const graph = graphFromStored(stored, await loadTasks(tasksWithEnvironment(stored)));
 * ```
 */
export function graphFromStored(
  stored: StoredGraph,
  tasks: ReadonlyMap<string, Task>,
): StageGraph | undefined {
  if (stored.format !== GRAPH_FORMAT) return undefined;
  const identities = new Map<string, KeyedStage["task"]>();
  for (const [name, { version, environment }] of Object.entries(stored.tasks)) {
    const live = tasks.get(name);
    if (environment && live?.version !== version) return undefined;
    identities.set(name, { name, version });
  }
  const stages = stored.stages.map((s, seq): KeyedStage => {
    const keyParams: unknown = JSON.parse(s.keyParamsJson);
    const env = tasks.get(s.task)?.environment?.(keyParams as never);
    return {
      id: s.id,
      name: s.name,
      seq,
      task: identities.get(s.task)!,
      matrix: s.matrix,
      upstream: s.upstream,
      keyParams,
      keyParamsJson: s.keyParamsJson,
      usedParams: s.usedParams,
      ...(env ? { env } : {}),
      inputFiles: s.inputFiles,
      resources: s.resources,
    };
  });
  return {
    name: stored.name,
    file: stored.file,
    dir: stored.dir,
    params: stored.params,
    stages,
    byId: new Map(stages.map((s) => [s.id, s])),
    ...(stored.executor ? { executor: stored.executor } : {}),
  };
}
