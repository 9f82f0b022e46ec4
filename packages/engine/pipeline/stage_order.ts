/**
 * The stage-level graph of a pipeline as written: edges from `needs` and
 * `${{ stages.x.out }}` references, checked for unknown tasks, unknown stages
 * and cycles - all reported together.
 */
import { didYouMean } from "../util/suggest.ts";
import type { PipelineDefinition, StageDefinition } from "./definition.ts";
import { topologicalOrder } from "./graph.ts";
import type { Problem } from "./problem.ts";
import type { PipelineSource, ValuePath } from "./source.ts";
import { findReferences } from "./template.ts";

/**
 * Stages in dependency order, or undefined when there is a cycle. Unknown
 * tasks, unknown stages and the cycle are appended to `problems`.
 *
 * @example
 * ```ts
 * stageOrder(definition, source, { has: (n) => n === "shell", names: ["shell"] }, problems);
 * ```
 */
export function stageOrder(
  definition: PipelineDefinition,
  source: PipelineSource,
  tasks: { has(name: string): boolean; names: readonly string[] },
  problems: Problem[],
): StageDefinition[] | undefined {
  const names = definition.stages.map((s) => s.name);
  const nodes = definition.stages.map((stage) => {
    if (stage.task !== "" && !tasks.has(stage.task)) {
      problems.push({
        at: source.locate(["stages", stage.name, "task"]),
        stage: stage.name,
        field: "task",
        message: `Unknown task "${stage.task}"${didYouMean(stage.task, tasks.names)}; available: ${
          tasks.names.join(", ")
        }`,
      });
    }
    return { id: stage.name, upstream: upstreamOf(stage, names, source, problems) };
  });
  const sorted = topologicalOrder(nodes);
  if ("cycle" in sorted) {
    problems.push({
      at: source.locateKey(["stages", sorted.cycle[0]!]),
      stage: sorted.cycle[0]!,
      message: `Cycle between stages: ${sorted.cycle.join(" -> ")}`,
    });
    return undefined;
  }
  const byName = new Map(definition.stages.map((s) => [s.name, s]));
  return sorted.order.map((name) => byName.get(name)!);
}

function upstreamOf(
  stage: StageDefinition,
  names: readonly string[],
  source: PipelineSource,
  problems: Problem[],
): string[] {
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
  return [...upstream];
}
