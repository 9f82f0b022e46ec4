/**
 * WiSE-FT (Wortsman et al.): interpolate every weight between the initial and
 * the fine-tuned model, theta(alpha) = (1 - alpha) theta_0 + alpha theta_1.
 *
 * @example
 * ```ts
 * const halfway = wiseFt(initial, finetuned, 0.5);
 * ```
 */
import { architectureOf, type Weights } from "../models/weights.ts";
import { compareValidation, type ValidationScore } from "./validation_score.ts";

/** Alpha 0 gives `initial`, alpha 1 gives `finetuned`, exactly. */
export function wiseFt(initial: Weights, finetuned: Weights, alpha: number): Weights {
  if (architectureOf(initial) !== architectureOf(finetuned)) {
    throw new TypeError("Cannot interpolate: the initial and fine-tuned architectures differ");
  }
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`Alpha "${alpha}" must be in [0, 1]`);
  return finetuned.map((tensor, t) => {
    const a = initial[t]!.values, b = tensor.values;
    const values = new Float32Array(b.length);
    for (let j = 0; j < b.length; j++) {
      values[j] = alpha === 0 ? a[j]! : alpha === 1 ? b[j]! : (1 - alpha) * a[j]! + alpha * b[j]!;
    }
    return { name: tensor.name, shape: [...tensor.shape], values };
  });
}

/**
 * The alpha chosen by training-domain validation: best by
 * {@link compareValidation}; a full tie goes to the larger alpha (closer to
 * the fine-tuned network: interpolation has to earn its place).
 *
 * @example
 * ```ts
 * selectAlpha([{ alpha: 0.5, score: { acc: 0.9, nll: 0.3 } }, { alpha: 1, score: { acc: 0.9, nll: 0.3 } }]); // 1
 * ```
 */
export function selectAlpha(
  candidates: readonly { alpha: number; score: ValidationScore }[],
): number {
  const sorted = [...candidates].sort((a, b) =>
    compareValidation(a.score, b.score) || b.alpha - a.alpha
  );
  if (!sorted[0]) throw new TypeError("Cannot select among no alphas");
  return sorted[0].alpha;
}
