/**
 * Matrix expansion of one stage as written: axes rendered from params, then
 * the cartesian product minus `exclude`, plus `include`, counted against the
 * limits before anything is allocated.
 */
import { didYouMean } from "../util/suggest.ts";
import type { StageDefinition } from "./definition.ts";
import { formatCount, LIMIT_VARIABLES, type PipelineLimits } from "./limits.ts";
import { type Combination, expandMatrix } from "./matrix.ts";
import { paramsScope } from "./params_scope.ts";
import type { Problem } from "./problem.ts";
import type { PipelineSource, ValuePath } from "./source.ts";
import { render } from "./template.ts";

/** Expansions counted so far in the pipeline, against `limits.pipelineExpansions`. */
export interface ExpansionBudget {
  limits: PipelineLimits;
  used: number;
}

/**
 * The stage's matrix combinations (one empty combination without a matrix),
 * or undefined when the matrix has problems (appended to `problems`): empty
 * axes, incomplete includes, unknown axes in `exclude`, too many expansions.
 *
 * @example
 * ```ts
 * expandStage(stage, params, source, problems, { limits: DEFAULT_LIMITS, used: 0 }); // [{ seed: 0 }, { seed: 1 }]
 * ```
 */
export function expandStage(
  stage: StageDefinition,
  params: Record<string, unknown>,
  source: PipelineSource,
  problems: Problem[],
  budget: ExpansionBudget,
): Combination[] | undefined {
  const before = problems.length;
  const report = (path: ValuePath, message: string) =>
    problems.push({
      at: source.locate(path),
      stage: stage.name,
      field: path.slice(2).join("."),
      message,
    });
  const axes = stage.matrix ? renderAxes(stage, params, report) : {};
  if (stage.matrix) checkPatterns(stage, Object.keys(stage.matrix), report);
  const at = ["stages", stage.name, "matrix"];
  const count = Object.values(axes).reduce((n, values) => n * values.length, 1) +
    stage.include.length;
  if (count > budget.limits.stageExpansions) {
    report(
      at,
      `The matrix expands to ${formatCount(count)} stages, more than the limit of ${
        formatCount(budget.limits.stageExpansions)
      } per stage; set ${LIMIT_VARIABLES.stageExpansions} to raise it`,
    );
  } else if (budget.used + count > budget.limits.pipelineExpansions) {
    report(
      stage.matrix ? at : ["stages", stage.name],
      `The pipeline expands to more than ${
        formatCount(budget.limits.pipelineExpansions)
      } stages (the limit; this stage adds ${formatCount(count)} to ${
        formatCount(budget.used)
      }); set ${LIMIT_VARIABLES.pipelineExpansions} to raise it`,
    );
  }
  if (problems.length > before) return undefined;
  budget.used += count;
  if (!stage.matrix) return [{}];
  const combos = expandMatrix(axes, stage.exclude, stage.include);
  if (combos.length === 0) report(at, "Empty matrix: every combination is excluded");
  return combos.length === 0 ? undefined : combos;
}

function renderAxes(
  stage: StageDefinition,
  params: Record<string, unknown>,
  report: (path: ValuePath, message: string) => void,
): Record<string, unknown[]> {
  const at = (...rest: (string | number)[]) => ["stages", stage.name, "matrix", ...rest];
  const scope = paramsScope(params, "a matrix");
  const axes: Record<string, unknown[]> = {};
  let reported = false;
  for (const [axis, raw] of Object.entries(stage.matrix!)) {
    let failed = false;
    const values = render(raw, scope, at(axis), (path, message) => {
      failed = reported = true;
      report(path, message);
    });
    if (failed) continue; // one problem per axis is enough
    if (!Array.isArray(values) || values.length === 0) {
      reported = true;
      report(at(axis), `Matrix axis "${axis}" must be a non-empty list of values`);
    } else axes[axis] = values;
  }
  if (Object.keys(axes).length === 0 && !reported) {
    report(at(), "Empty matrix: give at least one axis");
  }
  return axes;
}

/** `include` must give every axis; `exclude` may name only axes (a typo would exclude nothing). */
function checkPatterns(
  stage: StageDefinition,
  axisNames: string[],
  report: (path: ValuePath, message: string) => void,
): void {
  stage.include.forEach((extra, i) => {
    const keys = Object.keys(extra);
    if (keys.length !== axisNames.length || !keys.every((k) => axisNames.includes(k))) {
      report(
        ["stages", stage.name, "include", i],
        `Each include must give every matrix axis: ${axisNames.join(", ")}`,
      );
    }
  });
  stage.exclude.forEach((pattern, i) => {
    for (const key of Object.keys(pattern)) {
      if (axisNames.includes(key)) continue;
      report(
        ["stages", stage.name, "exclude", i, key],
        `Unknown matrix axis "${key}"${didYouMean(key, axisNames)}; the axes are ${
          axisNames.join(", ")
        }`,
      );
    }
  });
}
