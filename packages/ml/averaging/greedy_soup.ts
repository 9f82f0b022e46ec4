/**
 * Greedy soup (Wortsman et al., "Model soups"): rank models by held-out
 * (training-domain validation) score, best first; start from the best; add
 * each next model only if the soup's held-out accuracy does not drop (or,
 * with `strict`, only if it rises - the reference code's rule). Ranking
 * follows {@link compareValidation}; full ties go to the label that sorts
 * first, so the result does not depend on the order candidates are listed in.
 *
 * @example
 * ```ts
 * const { weights, ingredients, score } = await greedySoup(
 *   runs.map((r) => ({ label: r.dir, weights: r.weights, score: r.score })),
 *   (w) => validationScoreOf(w),
 *   { strict: true },
 * );
 * ```
 */
import { uniformSoup } from "./uniform_soup.ts";
import { compareValidation, type ValidationScore } from "./validation_score.ts";
import type { Weights } from "../models/weights.ts";

export interface SoupCandidate {
  /** Names the candidate in traces and breaks full ties (e.g. its run directory). */
  label: string;
  weights: Weights;
  /** Held-out score of the model alone. */
  score: ValidationScore;
}

export interface GreedySoupResult {
  weights: Weights;
  /** Indices into the candidate list, in the order they joined. */
  ingredients: number[];
  /** Held-out score of the final soup. */
  score: ValidationScore;
  /** Held-out score after each attempt, for the report. */
  trace: { candidate: number; score: ValidationScore; accepted: boolean }[];
}

/** Builds the soup; `evaluate` gives the held-out score of a weight list. */
export async function greedySoup(
  candidates: readonly SoupCandidate[],
  evaluate: (weights: Weights) => ValidationScore | Promise<ValidationScore>,
  options: { strict?: boolean } = {},
): Promise<GreedySoupResult> {
  const order = candidates.map((_, i) => i).sort((a, b) =>
    compareValidation(candidates[a]!.score, candidates[b]!.score) ||
    (candidates[a]!.label < candidates[b]!.label
      ? -1
      : candidates[a]!.label > candidates[b]!.label
      ? 1
      : 0)
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
    const accepted = options.strict ? trialScore.acc > score.acc : trialScore.acc >= score.acc;
    trace.push({ candidate: next, score: trialScore, accepted });
    if (accepted) [ingredients, weights, score] = [trial, trialWeights, trialScore];
  }
  return { weights, ingredients, score, trace };
}
