/**
 * Reads, parses and compiles a pipeline file.
 */
import { relative } from "../util/posix_path.ts";
import type { Task } from "@dropline/task";
import type { CompiledPipeline, CompileOptions, StageGraph } from "./compile.ts";
import { limitsFromEnv, type PipelineLimits } from "./limits.ts";
import type { Override } from "./overrides.ts";
import { parsedCachePath, readParsed, unlocatedSource, writeParsed } from "./parsed_cache.ts";
import { PipelineError, type SourcePosition } from "./problem.ts";
import type { PipelineSource } from "./source.ts";
import {
  graphCachePath,
  graphFromStored,
  type StoredGraph,
  storedGraph,
  tasksWithEnvironment,
} from "./stage_graph_cache.ts";
import { sourceFiles, sourceStamp } from "../util/source_stamp.ts";

/**
 * Loads a pipeline file; problems (including a missing file or bytes that are
 * not UTF-8) throw {@link PipelineError}. Limits not given in `options` come
 * from the environment (`DROPLINE_MAX_*`). With `parsedCache` (a cache
 * directory's `parsed/`), an unchanged file is not parsed again.
 *
 * @example
 * ```ts
 * const pipeline = await loadPipeline("pipelines/demo.yaml", { tasks: TASKS });
 * ```
 */
export async function loadPipeline(
  file: string,
  options: LoadOptions,
): Promise<CompiledPipeline> {
  return compileFile(file, options, await readPipelineFile(file, options), "if-not-current");
}

/**
 * When a compile stores its graph: when the stored one is not current (it
 * has to be read to know), always (known not current), or never (known current).
 */
type GraphStoring = "if-not-current" | "always" | "never";

async function compileFile(
  file: string,
  options: LoadOptions,
  read: PipelineFile,
  storing: GraphStoring,
): Promise<CompiledPipeline> {
  const { shown, text, limits } = read;
  const overrides = await readSetFlags(options.overrides ?? []);
  const compile = async (source: PipelineSource) => {
    const tasks = options.tasks ?? await options.loadTasks!(taskNamesIn(source.value));
    const { compilePipeline } = await compiler();
    const compiled = compilePipeline(source, { ...options, tasks, limits, overrides });
    return { ...compiled, file: await Deno.realPath(file), dir: await Deno.realPath(compiled.dir) };
  };
  const cachePath = options.parsedCache &&
    parsedCachePath(options.parsedCache, text, limits.yamlNodes);
  const cached = cachePath ? readParsed(cachePath) : undefined;
  let compiled: CompiledPipeline | undefined;
  if (cached) {
    try {
      compiled = await compile(unlocatedSource(shown, cached.value));
    } catch (error) {
      // Problems need positions: found again below, from a fresh parse.
      if (!(error instanceof PipelineError)) throw error;
    }
  }
  const unstored: Array<() => void> = [];
  if (!compiled) {
    const source = await parse(shown, text, limits);
    compiled = await compile(source);
    if (cachePath && !cached && !writeParsed(cachePath, source.value)) {
      unstored.push(() => void writeParsed(cachePath, source.value));
    }
  }
  const graphPath = storing === "never" ? undefined : graphPathOf(read, compiled.file, options);
  if (graphPath && (storing === "always" || !currentGraph(graphPath))) {
    const files = sourceFiles(options.code!);
    const graph = storedGraph(compiled, { files, stamp: sourceStamp(files) });
    if (!writeParsed(graphPath, graph)) unstored.push(() => void writeParsed(graphPath, graph));
  }
  if (unstored.length > 0) options.onParseUnstored?.(() => unstored.forEach((store) => store()));
  return compiled;
}

/** A pipeline's planning graph, and the compiled pipeline when it is needed. */
export interface LoadedGraph {
  /** What keying and planning read: from the cache when the file, flags and code are unchanged. */
  graph: StageGraph;
  /** The compiled pipeline (compiled at the first call when the graph came from the cache). */
  compile(): Promise<CompiledPipeline>;
}

/**
 * Loads what planning needs: with `parsedCache` and `code`, a graph stored
 * by an earlier command for the same text, `--set` flags, limits and code is
 * used without importing the tasks (only those declaring environment facts)
 * or compiling; otherwise the file is compiled as {@link loadPipeline} does.
 *
 * @example
 * ```ts
 * const { graph, compile } = await loadStageGraph("pipelines/demo.yaml", { loadTasks, parsedCache, code });
 * ```
 */
export async function loadStageGraph(file: string, options: LoadOptions): Promise<LoadedGraph> {
  const read = await readPipelineFile(file, options);
  const graphPath = graphPathOf(read, await realPathOrFile(file), options);
  const stored = graphPath ? currentGraph(graphPath) : undefined;
  if (stored) {
    try {
      const names = tasksWithEnvironment(stored);
      const tasks: ReadonlyMap<string, Task> = options.tasks ??
        (names.length ? await options.loadTasks!(names) : new Map());
      const graph = graphFromStored(stored, tasks);
      if (graph) {
        // The text the graph was found for, compiled; the graph stays as stored.
        let compiled: Promise<CompiledPipeline> | undefined;
        return { graph, compile: () => compiled ??= compileFile(file, options, read, "never") };
      }
    } catch {
      // An unreadable entry (or a task whose facts now fail): compiled afresh below.
    }
  }
  // No current graph was found (or it could not be used): the compile stores one.
  const compiled = await compileFile(file, options, read, "always");
  return { graph: compiled, compile: () => Promise.resolve(compiled) };
}

interface PipelineFile {
  shown: string;
  text: string;
  limits: PipelineLimits;
}

async function readPipelineFile(file: string, options: LoadOptions): Promise<PipelineFile> {
  const shown = displayPath(file);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "file not found"
      : error instanceof Deno.errors.IsADirectory
      ? "it is a directory"
      : (error as Error).message;
    throw new PipelineError(shown, [{ message: `Cannot read pipeline: ${why}` }]);
  }
  const text = decodeUtf8(shown, bytes);
  return { shown, text, limits: { ...limitsFromEnv(), ...options.limits } };
}

/** The graph stored at `path` if there is one and the code that compiled it is unchanged. */
function currentGraph(path: string): StoredGraph | undefined {
  const stored = readParsed(path)?.value as StoredGraph | undefined;
  const code = stored?.code;
  return code && Array.isArray(code.files) && sourceStamp(code.files) === code.stamp
    ? stored
    : undefined;
}

/** Where the graph compiled from this file would be kept (undefined: no graph cache). */
function graphPathOf(
  read: PipelineFile,
  realFile: string,
  options: LoadOptions,
): string | undefined {
  if (!options.parsedCache || options.code === undefined) return undefined;
  return graphCachePath(options.parsedCache, {
    text: read.text,
    realFile,
    overrides: options.overrides ?? [],
    limits: read.limits,
  });
}

async function realPathOrFile(file: string): Promise<string> {
  try {
    return await Deno.realPath(file);
  } catch {
    return file;
  }
}

/** The compiler, imported only when a file is compiled (a stored graph needs none). */
function compiler(): Promise<typeof import("./compile.ts")> {
  return import(new URL("./compile.ts", import.meta.url).href);
}

/** Parses the YAML text; the parser is imported only when a file is parsed. */
async function parse(file: string, text: string, limits: PipelineLimits): Promise<PipelineSource> {
  const { parsePipelineSource }: typeof import("./source.ts") = await import(
    new URL("./source.ts", import.meta.url).href
  );
  return parsePipelineSource(file, text, limits);
}

/** `--set` flags read into overrides (their values are YAML, parsed only when there are some). */
async function readSetFlags(texts: readonly string[]): Promise<Override[]> {
  if (texts.length === 0) return [];
  const { parseOverrides }: typeof import("./override_values.ts") = await import(
    new URL("./override_values.ts", import.meta.url).href
  );
  return parseOverrides(texts);
}

/** What loading needs: the tasks, or a loader of the tasks the file names. */
export type LoadOptions =
  & Omit<CompileOptions, "tasks" | "overrides">
  & {
    /** `--set` flags, `params.a.b=value`. */
    overrides?: readonly string[];
    /**
     * Where parsed files are kept (the cache's `parsed/`; none: always
     * parse). A parse is stored only into a cache directory that exists.
     */
    parsedCache?: string;
    /**
     * Receives, when the cache directory does not exist yet, what stores the
     * parse (and the compiled graph): a run calls it once it has made the cache.
     */
    onParseUnstored?: (store: () => void) => void;
    /**
     * Where the code that compiles lives (the engine's and the tasks'
     * directories, the import map): with `parsedCache`, compiled graphs are
     * kept, stamped with these files' stat, and reused by
     * {@link loadStageGraph} while the stamp holds. None: no graph is kept.
     */
    code?: readonly string[];
  }
  & (
    | { tasks: CompileOptions["tasks"]; loadTasks?: never }
    | { tasks?: never; loadTasks(names: string[]): Promise<CompileOptions["tasks"]> }
  );

/** The `task:` names of a parsed document (whatever its shape). */
function taskNamesIn(doc: unknown): string[] {
  const stages = (doc as { stages?: unknown } | null)?.stages;
  if (typeof stages !== "object" || stages === null) return [];
  return Object.values(stages).flatMap((stage) => {
    const task = (stage as { task?: unknown } | null)?.task;
    return typeof task === "string" ? [task] : [];
  });
}

/** A path as the user would like to see it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(Deno.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

/** The text of a UTF-8 file; other bytes are a problem at their position. */
function decodeUtf8(file: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    const byte = bytes[at.offset]!.toString(16).padStart(2, "0");
    throw new PipelineError(file, [{
      at: at.position,
      message: `Invalid UTF-8 (byte 0x${byte}): save the file as UTF-8`,
    }]);
  }
}

function firstInvalidByte(bytes: Uint8Array): { offset: number; position: SourcePosition } {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let lineStart = 0;
  let line = 1;
  for (let i = 0; i < bytes.length; i++) {
    try {
      decoder.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      // The bad byte ends a sequence that started up to 3 bytes before.
      let start = i;
      while (start > lineStart && (bytes[start]! & 0xc0) === 0x80) start--;
      const col = new TextDecoder().decode(bytes.subarray(lineStart, start)).length + 1;
      return { offset: i, position: { line, col } };
    }
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset: bytes.length - 1, position: { line, col: 1 } };
}
