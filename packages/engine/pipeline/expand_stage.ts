/**
 * Matrix expansion of one stage as written: axes rendered from params, then
 * the cartesian product minus `exclude`, plus `include`.
 */
import type { StageDefinition } from "./definition.ts";
import { type Combination, expandMatrix } from "./matrix.ts";
import { paramsScope } from "./params_scope.ts";
import type { Problem } from "./problem.ts";
import type { PipelineSource, ValuePath } from "./source.ts";
import { render } from "./template.ts";

/**
 * The stage's matrix combinations (one empty combination without a matrix);
 * problems (empty axes, incomplete includes) are appended to `problems`.
 *
 * @example
 * ```ts
 * expandStage(stage, params, source, problems); // [{ seed: 0 }, { seed: 1 }]
 * ```
 */
export function expandStage(
  stage: StageDefinition,
  params: Record<string, unknown>,
  source: PipelineSource,
  problems: Problem[],
): Combination[] {
  if (!stage.matrix) return [{}];
  const at = (...rest: (string | number)[]) => ["stages", stage.name, "matrix", ...rest];
  const report = (path: ValuePath, message: string) =>
    problems.push({
      at: source.locate(path),
      stage: stage.name,
      field: path.slice(2).join("."),
      message,
    });
  const scope = paramsScope(params, "a matrix");
  const before = problems.length;
  const axes: Record<string, unknown[]> = {};
  for (const [axis, raw] of Object.entries(stage.matrix)) {
    const reported = problems.length;
    const values = render(raw, scope, at(axis), report);
    if (problems.length > reported) continue; // one problem per axis is enough
    if (!Array.isArray(values) || values.length === 0) {
      report(at(axis), `Matrix axis "${axis}" must be a non-empty list of values`);
    } else axes[axis] = values;
  }
  if (Object.keys(axes).length === 0 && problems.length === before) {
    report(at(), "Empty matrix: give at least one axis");
  }
  const axisNames = Object.keys(stage.matrix);
  stage.include.forEach((extra, i) => {
    const keys = Object.keys(extra);
    if (keys.length !== axisNames.length || !keys.every((k) => axisNames.includes(k))) {
      report(
        ["stages", stage.name, "include", i],
        `Each include must give every matrix axis: ${axisNames.join(", ")}`,
      );
    }
  });
  const combos = expandMatrix(axes, stage.exclude, stage.include);
  if (combos.length === 0) report(at(), "Empty matrix: every combination is excluded");
  return combos;
}
