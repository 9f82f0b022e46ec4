/**
 * Compiles a pipeline definition into its expanded, validated stage graph:
 * params overrides, stage-level graph and cycle check, matrix expansion,
 * reference resolution and the task schema check. Pure apart from the task
 * registry it is given.
 */
import { isAbsolute, resolve as resolvePath } from "node:path";
import type { Task } from "@dropline/task";
import { canonicalJson } from "../util/canonical_json.ts";
import { didYouMean } from "../util/suggest.ts";
import {
  type ExecutorName,
  type PipelineDefinition,
  readDefinition,
  type StageDefinition,
} from "./definition.ts";
import { topologicalOrder } from "./graph.ts";
import { type Combination, expansionId } from "./matrix.ts";
import { expandStage } from "./expand_stage.ts";
import { paramsScope } from "./params_scope.ts";
import { applyOverrides } from "./overrides.ts";
import { PipelineError, type Problem } from "./problem.ts";
import type { PipelineSource, ValuePath } from "./source.ts";
import { findReferences, render, type RenderScope } from "./template.ts";
import { zodProblems } from "./zod_problems.ts";
import { resolveStageReference, type StageExpansions } from "./stage_reference.ts";
import type { Resources } from "./resources.ts";
import { defaultResources, stageResources } from "./stage_resources.ts";

/** One expanded stage, ready for keying and execution. */
export interface CompiledStage {
  id: string;
  /** The YAML stage it expands from. */
  name: string;
  /** Position in topological order. */
  seq: number;
  task: Task;
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
  /** Renders the real `with`, given each upstream's published output directory. */
  params(outDir: (id: string) => string): unknown;
}

/** A pipeline ready to plan and run. */
export interface CompiledPipeline {
  name: string;
  file: string;
  /** Directory tasks run in; relative paths in the pipeline are relative to it. */
  dir: string;
  params: Record<string, unknown>;
  stages: CompiledStage[];
  byId: Map<string, CompiledStage>;
  /** The executor the file asks for (`executor:`), when it names one. */
  executor?: ExecutorName;
}

/** What compilation needs besides the source. */
export interface CompileOptions {
  tasks: ReadonlyMap<string, Task>;
  /** `--set` overrides, `params.a.b=value`. */
  overrides?: readonly string[];
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
  const order = stageOrder(definition, source, options.tasks);
  const dir = resolvePath(source.file, "..");
  const expansions: StageExpansions = new Map();
  const stages: CompiledStage[] = [];
  const stageProblems: Problem[] = [];
  const defaults = defaultResources(definition.resources, params, source, stageProblems);
  for (const stage of order) {
    const combos = expandStage(stage, params, source, stageProblems);
    expansions.set(stage.name, combos);
    for (const combo of combos) {
      const compiled = compileExpansion(stage, combo, {
        params,
        source,
        expansions,
        dir,
        tasks: options.tasks,
        defaults,
      }, stageProblems);
      if (compiled) stages.push({ ...compiled, seq: stages.length });
    }
  }
  checkDuplicateIds(stages, source, stageProblems);
  if (stageProblems.length > 0) throw new PipelineError(source.file, stageProblems);
  return {
    name: definition.name,
    file: source.file,
    dir,
    params,
    stages,
    byId: new Map(stages.map((s) => [s.id, s])),
    ...(definition.executor ? { executor: definition.executor } : {}),
  };
}

/** Stages in dependency order; unknown tasks, unknown stages and cycles are problems. */
function stageOrder(
  definition: PipelineDefinition,
  source: PipelineSource,
  tasks: ReadonlyMap<string, Task>,
): StageDefinition[] {
  const problems: Problem[] = [];
  const names = definition.stages.map((s) => s.name);
  const nodes = definition.stages.map((stage) => {
    if (!tasks.has(stage.task)) {
      problems.push({
        at: source.locate(["stages", stage.name, "task"]),
        stage: stage.name,
        field: "task",
        message: `Unknown task "${stage.task}"${didYouMean(stage.task, tasks.keys())}; available: ${
          [...tasks.keys()].join(", ")
        }`,
      });
    }
    const upstream = new Set<string>();
    const add = (target: string, path: ValuePath, field: string) => {
      if (names.includes(target)) upstream.add(target);
      else {
        problems.push({
          at: source.locate(path),
          stage: stage.name,
          field,
          message: `Unknown stage "${target}"${didYouMean(target, names)}`,
        });
      }
    };
    stage.needs.forEach((need, i) => add(need, ["stages", stage.name, "needs", i], `needs.${i}`));
    for (const { path, reference } of findReferences(stage.with, ["stages", stage.name, "with"])) {
      if (!("error" in reference) && reference.kind === "stages") {
        add(reference.stage, path, path.slice(2).join("."));
      }
    }
    return { id: stage.name, upstream: [...upstream] };
  });
  if (problems.length > 0) throw new PipelineError(source.file, problems);
  const sorted = topologicalOrder(nodes);
  if ("cycle" in sorted) {
    throw new PipelineError(source.file, [{
      at: source.locateKey(["stages", sorted.cycle[0]!]),
      stage: sorted.cycle[0]!,
      message: `Cycle between stages: ${sorted.cycle.join(" -> ")}`,
    }]);
  }
  const byName = new Map(definition.stages.map((s) => [s.name, s]));
  return sorted.order.map((name) => byName.get(name)!);
}

interface ExpansionContext {
  params: Record<string, unknown>;
  source: PipelineSource;
  expansions: StageExpansions;
  dir: string;
  tasks: ReadonlyMap<string, Task>;
  defaults: Resources;
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
  const report = (path: ValuePath, message: string) =>
    problems.push({
      at: context.source.locate(path),
      stage: id,
      field: path.slice(2).join("."),
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
      const ref = resolveStageReference(context.expansions, target, combo);
      if ("error" in ref) return ref;
      ref.ids.forEach((upId) => upstream.add(upId));
      return { value: ref.list ? ref.ids.map(outDir) : outDir(ref.ids[0]!) };
    },
  });
  const keyTemplate = render(
    stage.with,
    scopeFor(placeholder),
    ["stages", stage.name, "with"],
    report,
  );
  for (const need of stage.needs) {
    const ref = resolveStageReference(context.expansions, need, combo);
    if ("error" in ref) report(["stages", stage.name, "needs"], ref.error);
    else ref.ids.forEach((upId) => upstream.add(upId));
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
    params: (outDir) => task.schema.parse(render(stage.with, scopeFor(outDir), [], () => {})),
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
