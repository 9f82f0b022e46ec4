/**
 * Reads, parses and compiles a pipeline file.
 */
import { relative } from "node:path";
import { type CompiledPipeline, type CompileOptions, compilePipeline } from "./compile.ts";
import { PipelineError } from "./problem.ts";
import { parsePipelineSource } from "./source.ts";

/**
 * Loads a pipeline file; problems (including a missing file) throw {@link PipelineError}.
 *
 * @example
 * ```ts
 * const pipeline = await loadPipeline("pipelines/demo.yaml", { tasks: TASKS });
 * ```
 */
export async function loadPipeline(
  file: string,
  options: CompileOptions,
): Promise<CompiledPipeline> {
  const shown = displayPath(file);
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "file not found" : (error as Error).message;
    throw new PipelineError(shown, [{ message: `Cannot read pipeline: ${why}` }]);
  }
  const compiled = compilePipeline(parsePipelineSource(shown, text), options);
  return { ...compiled, file: await Deno.realPath(file), dir: await Deno.realPath(compiled.dir) };
}

/** A path as the user would like to see it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(Deno.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}
