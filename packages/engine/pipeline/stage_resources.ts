/**
 * Rendering `resources:` maps: the pipeline's defaults with its params, each
 * stage expansion's own map with params and matrix values, then checked by
 * {@link readResources} and merged (a stage's value replaces the default).
 */
import type { Combination } from "./matrix.ts";
import { paramsScope } from "./params_scope.ts";
import type { Problem } from "./problem.ts";
import { fieldsOf, flagSettingField, readResources, type Resources } from "./resources.ts";
import type { PipelineSource, ValuePath } from "./source.ts";
import { render, type RenderScope } from "./template.ts";
import { didYouMean } from "../util/suggest.ts";

/**
 * The pipeline-wide default resources, rendered with its params.
 *
 * @example
 * ```ts
 * defaultResources({ mem: "${{ params.mem }}" }, { mem: "2G" }, source, problems); // { memMiB: 2048 }
 * ```
 */
export function defaultResources(
  raw: Record<string, unknown> | undefined,
  params: Record<string, unknown>,
  source: PipelineSource,
  problems: Problem[],
): Resources {
  if (!raw) return {};
  const report = (path: ValuePath, message: string, atKey = false) =>
    problems.push({
      at: atKey ? source.locateKey(path) : source.locate(path),
      field: path.join("."),
      message,
    });
  const rendered = render(raw, paramsScope(params, "resources"), ["resources"], report);
  return readResources(rendered, ["resources"], report);
}

/**
 * One expansion's resources: its `resources` map rendered with params and
 * matrix values, over the defaults. A problem that every expansion of the
 * stage would repeat (same place, same message) is reported once.
 */
export function stageResources(
  where: { source: PipelineSource; stageName: string; stageId: string },
  raw: Record<string, unknown> | undefined,
  context: { defaults: Resources; params: Record<string, unknown>; combo: Combination },
  problems: Problem[],
): Resources {
  if (!raw) return context.defaults;
  const { source, stageName, stageId } = where;
  const report = (path: ValuePath, message: string, atKey = false) => {
    const at = atKey ? source.locateKey(path) : source.locate(path);
    const repeated = problems.some((p) =>
      p.message === message && p.at?.line === at.line && p.at?.col === at.col
    );
    if (!repeated) {
      problems.push({ at, stage: stageId, field: path.slice(2).join("."), message });
    }
  };
  const base = paramsScope(context.params, "resources");
  const scope: RenderScope = {
    ...base,
    matrix: (name) =>
      Object.hasOwn(context.combo, name) ? { value: context.combo[name] } : {
        error: `Unknown matrix key "${name}"${didYouMean(name, Object.keys(context.combo))}` +
          (Object.keys(context.combo).length ? "" : ": the stage has no matrix"),
      },
  };
  const path = ["stages", stageName, "resources"];
  const rendered = render(raw, scope, path, report);
  const own = readResources(rendered, path, report);
  checkAgainstDefaults(own, context.defaults, path, report);
  return { ...context.defaults, ...own };
}

/**
 * A stage's `extra` that sets a field the defaults give (or the defaults'
 * `extra` setting a field the stage gives) would put both on the sbatch line,
 * where the later flag silently wins: refused, saying which to change.
 */
function checkAgainstDefaults(
  own: Resources,
  defaults: Resources,
  path: ValuePath,
  report: (path: ValuePath, message: string) => void,
): void {
  const ownFields = fieldsOf(own);
  if (own.extra) {
    const inherited = fieldsOf(defaults).filter((field) => !ownFields.includes(field));
    const hit = flagSettingField(own.extra, inherited);
    if (hit) {
      report(
        [...path, "extra", hit.index],
        `"${own.extra[hit.index]}" sets \`${hit.field}\`, which the pipeline's default resources ` +
          `also give: set \`${hit.field}\` in this stage's resources instead`,
      );
    }
  } else if (defaults.extra) {
    const hit = flagSettingField(defaults.extra, ownFields);
    if (hit) {
      report(
        [...path, hit.field],
        `The pipeline's default extra flag "${defaults.extra[hit.index]}" also sets ` +
          `\`${hit.field}\`: give \`${hit.field}\` in the defaults instead of that flag`,
      );
    }
  }
}
