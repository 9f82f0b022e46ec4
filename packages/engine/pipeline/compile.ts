/**
 * Compiles a pipeline definition into its expanded, validated stage graph:
 * params overrides, stage-level graph and cycle check, matrix expansion,
 * reference resolution and the task schema check. Pure apart from the task
 * registry it is given.
 */
import { isAbsolute, resolve as resolvePath } from "../util/posix_path.ts";
import type { Task } from "@dropline/task";
import { canonicalJson } from "../util/canonical_json.ts";
import { didYouMean } from "../util/suggest.ts";
import { type ExecutorName, readDefinition, type StageDefinition } from "./definition.ts";
import { type Combination, expansionId } from "./matrix.ts";
import { expandStage } from "./expand_stage.ts";
import { paramsScope } from "./params_scope.ts";
import { applyOverrides, type Override } from "./overrides.ts";
import { PipelineError, type Problem } from "./problem.ts";
import type { PipelineSource, ValuePath } from "./source.ts";
import type { RenderScope } from "./template.ts";
import { renderWith } from "./render_with.ts";
import { stageOrder } from "./stage_order.ts";
import { DEFAULT_LIMITS, formatCount, LIMIT_VARIABLES, type PipelineLimits } from "./limits.ts";
import { zodProblems } from "./zod_problems.ts";
import { resolveStageReference, type StageExpansions } from "./stage_reference.ts";
import type { Resources } from "./resources.ts";
import { defaultResources, stageResources } from "./stage_resources.ts";

/** What a stage's key and plan are made of: no task code, no templates. */
export interface KeyedStage {
  id: string;
  /** The YAML stage it expands from. */
  name: string;
  /** Position in topological order. */
  seq: number;
  /** The task's identity (its name and version are part of the key). */
  task: { readonly name: string; readonly version: number };
  matrix: Combination;
  /** Expanded ids of the stages this one reads from or `needs`. */
  upstream: string[];
  /** The schema-parsed `with`, upstream outputs as `<out:id>` placeholders: part of the key. */
  keyParams: unknown;
  /** `keyParams` as canonical JSON, computed once. */
  keyParamsJson: string;
  /** Pipeline params this stage references, by dotted path (for `why`). */
  usedParams: Record<string, unknown>;
  /** The task's environment facts (part of the key), when it declares any. */
  env?: Record<string, string>;
  /** Local input files named in the params (absolute), hashed into the key. */
  inputFiles: string[];
  /** Cluster resources (defaults merged in); not part of the key. */
  resources: Resources;
}

/** One expanded stage, ready for keying and execution. */
export interface CompiledStage extends KeyedStage {
  task: Task;
  /** Renders the real `with`, given each upstream's published output directory. */
  params(outDir: (id: string) => string): unknown;
}

/**
 * A pipeline's stages as planning sees them: enough to key, look up and
 * explain every stage (`status`, `why`, a run that only reuses results).
 */
export interface StageGraph {
  name: string;
  file: string;
  /** Directory tasks run in; relative paths in the pipeline are relative to it. */
  dir: string;
  params: Record<string, unknown>;
  stages: readonly KeyedStage[];
  byId: ReadonlyMap<string, KeyedStage>;
  /** The executor the file asks for (`executor:`), when it names one. */
  executor?: ExecutorName;
}

/** A pipeline ready to plan and run. */
export interface CompiledPipeline extends StageGraph {
  stages: CompiledStage[];
  byId: Map<string, CompiledStage>;
}

/** What compilation needs besides the source. */
export interface CompileOptions {
  tasks: ReadonlyMap<string, Task>;
  /** `--set` overrides, `params.a.b=value` (see `parseOverrides`). */
  overrides?: readonly Override[];
  /** Limits on expansions (default {@link DEFAULT_LIMITS}). */
  limits?: Partial<PipelineLimits>;
  /** Every task that exists, when `tasks` holds only those the pipeline names (for messages). */
  taskNames?: readonly string[];
}

/**
 * Compiles a parsed source, or throws {@link PipelineError} listing every problem.
 *
 * @example
 * ```ts
 * const pipeline = compilePipeline(parsePipelineSource(file, text), { tasks: TASKS });
 * ```
 */
export function compilePipeline(source: PipelineSource, options: CompileOptions): CompiledPipeline {
  const { definition, problems } = readDefinition(source);
  if (!definition) throw new PipelineError(source.file, problems);
  const params = applyOverrides(definition.params, options.overrides ?? []);
  const order = stageOrder(
    definition,
    source,
    {
      has: (name) => options.tasks.has(name),
      names: options.taskNames ?? [...options.tasks.keys()],
    },
    problems,
  );
  if (!order) throw new PipelineError(source.file, mergeProblems(problems));
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const context: ExpansionContext = {
    defaults: defaultResources(definition.resources, params, source, problems),
    params,
    source,
    expansions: new Map(),
    unusable: new Set(),
    dir: resolvePath(source.file, ".."),
    tasks: options.tasks,
    edges: { used: 0, limit: limits.pipelineEdges },
  };
  const budget = { limits, used: 0 };
  const stages: CompiledStage[] = [];
  for (const stage of order) {
    const combos = expandStage(stage, params, source, problems, budget);
    context.expansions.set(stage.name, combos ?? []);
    if (!combos || stage.broken || !options.tasks.has(stage.task)) {
      context.unusable.add(stage.name);
      continue;
    }
    for (const combo of combos) {
      const compiled = compileExpansion(stage, combo, context, problems);
      if (compiled) stages.push({ ...compiled, seq: stages.length });
      if (context.edges.used > context.edges.limit) break;
    }
  }
  checkDuplicateIds(stages, source, problems);
  if (problems.length > 0) throw new PipelineError(source.file, mergeProblems(problems));
  return {
    name: definition.name,
    file: source.file,
    dir: context.dir,
    params,
    stages,
    byId: new Map(stages.map((s) => [s.id, s])),
    ...(definition.executor ? { executor: definition.executor } : {}),
  };
}

/**
 * One line per problem: the same problem in many expansions of a stage is
 * reported once, for the stage.
 */
function mergeProblems(problems: readonly Problem[]): Problem[] {
  const merged = new Map<string, Problem>();
  for (const problem of problems) {
    const name = problem.stage?.replace(/\[.*$/s, "");
    const key = JSON.stringify([problem.at, name, problem.field, problem.message]);
    const seen = merged.get(key);
    if (!seen) merged.set(key, problem);
    else if (name !== undefined && seen.stage !== name) merged.set(key, { ...seen, stage: name });
  }
  return [...merged.values()];
}

interface ExpansionContext {
  params: Record<string, unknown>;
  source: PipelineSource;
  expansions: StageExpansions;
  /** Stages with problems of their own (already reported): references to them are not checked. */
  unusable: Set<string>;
  dir: string;
  tasks: ReadonlyMap<string, Task>;
  defaults: Resources;
  /** Upstream edges of all expansions so far, against `limits.pipelineEdges`. */
  edges: { used: number; limit: number };
}

function compileExpansion(
  stage: StageDefinition,
  combo: Combination,
  context: ExpansionContext,
  problems: Problem[],
): Omit<CompiledStage, "seq"> | undefined {
  const id = expansionId(stage.name, combo);
  const task = context.tasks.get(stage.task)!;
  const before = problems.length;
  // A path that ends at the stage (`["stages", name]`) names no field.
  const report = (path: ValuePath, message: string) =>
    problems.push({
      at: context.source.locate(path),
      stage: id,
      ...(path.length > 2 ? { field: path.slice(2).join(".") } : {}),
      message,
    });
  const upstream = new Set<string>();
  const usedParams: Record<string, unknown> = {};
  const paramScope = paramsScope(context.params, "this stage");
  const scopeFor = (outDir: (id: string) => string): RenderScope => ({
    ...paramScope,
    params: (path) => {
      const found = paramScope.params(path);
      if ("value" in found) usedParams[path.join(".")] = found.value;
      return found;
    },
    matrix: (name) =>
      Object.hasOwn(combo, name) ? { value: combo[name] } : {
        error: `Unknown matrix key "${name}"${didYouMean(name, Object.keys(combo))}` +
          (Object.keys(combo).length ? "" : ": the stage has no matrix"),
      },
    stage: (target) => {
      // Unknown and broken stages are reported once, elsewhere.
      if (context.unusable.has(target) || !context.expansions.has(target)) {
        return { value: placeholder(target) };
      }
      const ref = resolveStageReference(context.expansions, target, combo);
      if ("error" in ref) return ref;
      ref.ids.forEach((upId) => upstream.add(upId));
      return { value: ref.list ? ref.ids.map(outDir) : outDir(ref.ids[0]!) };
    },
  });
  const keyTemplate = renderWith(
    stage.with,
    scopeFor(placeholder),
    ["stages", stage.name, "with"],
    report,
    task.shellScripts,
  );
  for (const need of stage.needs) {
    if (context.unusable.has(need) || !context.expansions.has(need)) continue;
    const ref = resolveStageReference(context.expansions, need, combo);
    if ("error" in ref) report(["stages", stage.name, "needs"], ref.error);
    else ref.ids.forEach((upId) => upstream.add(upId));
  }
  context.edges.used += upstream.size;
  if (context.edges.used > context.edges.limit) {
    report(
      ["stages", stage.name],
      `The pipeline's stages read from more than ${
        formatCount(context.edges.limit)
      } upstream stages in all (the limit; matrix stages referencing each other multiply); set ${LIMIT_VARIABLES.pipelineEdges} to raise it`,
    );
  }
  const resources = stageResources(
    { source: context.source, stageName: stage.name, stageId: id },
    stage.resources,
    { defaults: context.defaults, params: context.params, combo },
    problems,
  );
  const renderFailed = problems.length > before;
  const parsed = task.schema.safeParse(keyTemplate);
  if (!parsed.success) {
    const found = zodProblems(parsed.error, {
      schema: task.schema,
      input: keyTemplate,
      source: context.source,
      stageName: stage.name,
      stageId: id,
    });
    // After a failed interpolation other issues may be its echoes; misspelt keys are not.
    problems.push(
      ...(renderFailed ? found.filter((p) => p.message.startsWith("Unknown parameter")) : found),
    );
    return undefined;
  }
  if (renderFailed) return undefined;
  let env: Record<string, string> | undefined;
  try {
    env = task.environment?.(parsed.data);
  } catch (error) {
    problems.push({
      at: context.source.locate(["stages", stage.name, "with"]),
      stage: id,
      message: (error as Error).message,
    });
    return undefined;
  }
  // Upstream outputs named as inputs are already in the key by content.
  const inputFiles = (task.inputFiles?.(parsed.data) ?? []).filter((f) => !f.includes("<out:")).map(
    (f) => isAbsolute(f) ? f : resolvePath(context.dir, f),
  );
  return {
    id,
    name: stage.name,
    task,
    matrix: combo,
    upstream: [...upstream],
    keyParams: parsed.data,
    keyParamsJson: canonicalJson(parsed.data),
    usedParams,
    ...(env ? { env } : {}),
    inputFiles,
    resources,
    params: (outDir) => {
      const errors: string[] = [];
      const rendered = renderWith(
        stage.with,
        scopeFor(outDir),
        [],
        (_, message) => errors.push(message),
        task.shellScripts,
      );
      // Only upstream paths differ from the compile-time rendering: a cache
      // directory holding a line break, say.
      if (errors.length > 0) throw new Error(errors.join("; "));
      return task.schema.parse(rendered);
    },
  };
}

/** How an upstream output appears in key params: stable, free of cache paths. */
export function placeholder(id: string): string {
  return `<out:${id}>`;
}

function checkDuplicateIds(
  stages: readonly Omit<CompiledStage, "seq">[],
  source: PipelineSource,
  problems: Problem[],
) {
  const seen = new Set<string>();
  for (const stage of stages) {
    if (seen.has(stage.id)) {
      problems.push({
        at: source.locate(["stages", stage.name, "matrix"]),
        stage: stage.id,
        field: "matrix",
        message:
          `Duplicate stage id "${stage.id}" after matrix expansion: make the matrix values distinct`,
      });
    }
    seen.add(stage.id);
  }
}
