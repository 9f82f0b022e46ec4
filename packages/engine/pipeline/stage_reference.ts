/**
 * Which expansions of a stage a reference means. Pure.
 *
 * A reference from a matrix expansion to another matrix stage selects the
 * expansions that agree on the matrix keys both share, so
 * `evaluate[seed=0]` reading `${{ stages.train.out }}` gets `train[seed=0]`.
 * When the target has axes the referrer does not, the reference is a list.
 */
import { didYouMean } from "../util/suggest.ts";
import { type Combination, expansionId, matches } from "./matrix.ts";

/** The combinations of every stage expanded so far, by stage name. */
export type StageExpansions = Map<string, Combination[]>;

/**
 * Resolves `stages.<target>.out` from an expansion with values `from`.
 *
 * @example
 * ```ts
 * const expansions = new Map([["train", [{ seed: 0 }, { seed: 1 }]]]);
 * resolveStageReference(expansions, "train", { seed: 1 }); // { ids: ["train[seed=1]"], list: false }
 * resolveStageReference(expansions, "train", {}); // { ids: ["train[seed=0]", "train[seed=1]"], list: true }
 * ```
 */
export function resolveStageReference(
  expansions: StageExpansions,
  target: string,
  from: Combination,
): { ids: string[]; list: boolean } | { error: string } {
  const combos = expansions.get(target);
  if (!combos) {
    return { error: `Unknown stage "${target}"${didYouMean(target, expansions.keys())}` };
  }
  const targetKeys = new Set(combos.flatMap((c) => Object.keys(c)));
  const shared = Object.fromEntries(Object.entries(from).filter(([k]) => targetKeys.has(k)));
  const selected = combos.filter((c) => matches(c, shared));
  if (selected.length === 0) {
    const want = Object.entries(shared).map(([k, v]) => `${k}=${String(v)}`).join(",");
    return { error: `No expansion of stage "${target}" matches ${want}` };
  }
  const list = [...targetKeys].some((k) => !Object.hasOwn(shared, k));
  return { ids: selected.map((c) => expansionId(target, c)), list };
}
