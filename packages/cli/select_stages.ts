/**
 * Resolves `--force` / `--only` stage selectors: a YAML stage name selects
 * all its expansions, an expanded id selects one.
 */
import { ancestors, didYouMean, type StageGraph, UsageError } from "@dropline/engine/run";

/**
 * The stage ids matching selectors.
 *
 * @example
 * ```ts
 * selectStages(pipeline, ["sweep"], "--force"); // Set { "sweep[seed=0]", "sweep[seed=1]" }
 * ```
 */
export function selectStages(
  pipeline: StageGraph,
  selectors: readonly string[],
  flag: string,
): Set<string> {
  const selected = new Set<string>();
  for (const selector of selectors) {
    const matched = pipeline.stages.filter((s) => s.id === selector || s.name === selector);
    if (matched.length === 0) {
      const names = new Set(pipeline.stages.flatMap((s) => [s.name, s.id]));
      throw new UsageError(`${flag}: unknown stage "${selector}"${didYouMean(selector, names)}`);
    }
    matched.forEach((s) => selected.add(s.id));
  }
  return selected;
}

/** The selected stages plus everything they need. */
export function withAncestors(pipeline: StageGraph, ids: ReadonlySet<string>): Set<string> {
  return new Set([...ids, ...ancestors(pipeline.stages, ids)]);
}
