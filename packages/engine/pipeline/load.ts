/**
 * Reads, parses and compiles a pipeline file.
 */
import { relative } from "node:path";
import { type CompiledPipeline, type CompileOptions, compilePipeline } from "./compile.ts";
import { limitsFromEnv, type PipelineLimits } from "./limits.ts";
import type { Override } from "./overrides.ts";
import { parsedCachePath, readParsed, unlocatedSource, writeParsed } from "./parsed_cache.ts";
import { PipelineError, type SourcePosition } from "./problem.ts";
import type { PipelineSource } from "./source.ts";

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
  const limits = { ...limitsFromEnv(), ...options.limits };
  const overrides = await readSetFlags(options.overrides ?? []);
  const compile = async (source: PipelineSource) => {
    const tasks = options.tasks ?? await options.loadTasks!(taskNamesIn(source.value));
    const compiled = compilePipeline(source, { ...options, tasks, limits, overrides });
    return { ...compiled, file: await Deno.realPath(file), dir: await Deno.realPath(compiled.dir) };
  };
  const cachePath = options.parsedCache &&
    parsedCachePath(options.parsedCache, text, limits.yamlNodes);
  const cached = cachePath ? readParsed(cachePath) : undefined;
  if (cached) {
    try {
      return await compile(unlocatedSource(shown, cached.value));
    } catch (error) {
      // Problems need positions: found again below, from a fresh parse.
      if (!(error instanceof PipelineError)) throw error;
    }
  }
  const source = await parse(shown, text, limits);
  const compiled = await compile(source);
  if (cachePath && !cached && !writeParsed(cachePath, source.value)) {
    options.onParseUnstored?.(() => void writeParsed(cachePath, source.value));
  }
  return compiled;
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
     * parse: a run calls it once it has made the cache.
     */
    onParseUnstored?: (store: () => void) => void;
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
