/**
 * Greedy soup (Wortsman et al., "Model soups"): sort models by held-out
 * accuracy, best first; start from the best; add each next model only if the
 * averaged soup's held-out accuracy does not drop (or, with `strict`, only if
 * it rises - the reference code's rule).
 *
 * @example
 * ```ts
 * const { weights, ingredients, score } = await greedySoup(
 *   runs.map((r) => ({ weights: r.weights, score: r.valAcc })),
 *   (w) => validationAccuracy(w),
 *   { strict: true },
 * );
 * ```
 */
import { uniformSoup } from "./uniform_soup.ts";
import type { Weights } from "../models/weights.ts";

export interface SoupCandidate {
  weights: Weights;
  /** Held-out (training-domain validation) accuracy of the model alone. */
  score: number;
}

export interface GreedySoupResult {
  weights: Weights;
  /** Indices into the candidate list, in the order they joined. */
  ingredients: number[];
  /** Held-out accuracy of the final soup. */
  score: number;
  /** Held-out accuracy after each attempt, for the report. */
  trace: { candidate: number; score: number; accepted: boolean }[];
}

/** Builds the soup; `evaluate` gives held-out accuracy of a weight list. */
export async function greedySoup(
  candidates: readonly SoupCandidate[],
  evaluate: (weights: Weights) => number | Promise<number>,
  options: { strict?: boolean } = {},
): Promise<GreedySoupResult> {
  // Stable sort: equal scores keep their given order, so results are deterministic.
  const order = candidates.map((_, i) => i).sort((a, b) =>
    candidates[b]!.score - candidates[a]!.score
  );
  const first = order[0];
  if (first === undefined) throw new TypeError("Cannot make a soup of no models");
  let ingredients = [first];
  let weights = candidates[first]!.weights;
  let score = await evaluate(weights);
  const trace = [{ candidate: first, score, accepted: true }];
  for (const next of order.slice(1)) {
    const trial = [...ingredients, next];
    const trialWeights = uniformSoup(trial.map((i) => candidates[i]!.weights));
    const trialScore = await evaluate(trialWeights);
    const accepted = options.strict ? trialScore > score : trialScore >= score;
    trace.push({ candidate: next, score: trialScore, accepted });
    if (accepted) [ingredients, weights, score] = [trial, trialWeights, trialScore];
  }
  return { weights, ingredients, score, trace };
}
