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
