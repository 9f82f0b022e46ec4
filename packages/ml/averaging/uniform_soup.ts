/**
 * Uniform soup: the element-wise mean of several models' weights.
 *
 * @example
 * ```ts
 * const soup = uniformSoup([runA.weights, runB.weights, runC.weights]);
 * ```
 */
import { architectureOf, type Weights } from "../models/weights.ts";

/** The element-wise mean; every model must share one architecture. */
export function uniformSoup(models: readonly Weights[]): Weights {
  const first = models[0];
  if (!first) throw new TypeError("Cannot make a soup of no models");
  const architecture = architectureOf(first);
  models.forEach((m, i) => {
    if (architectureOf(m) !== architecture) {
      throw new TypeError(`Cannot average model "${i}": its architecture differs from model "0"`);
    }
  });
  return first.map((tensor, t) => {
    // Accumulate in float64 so the mean of identical models is exactly that model.
    const sum = new Float64Array(tensor.values.length);
    for (const m of models) {
      const v = m[t]!.values;
      for (let j = 0; j < sum.length; j++) sum[j]! += v[j]!;
    }
    const values = new Float32Array(sum.length);
    for (let j = 0; j < sum.length; j++) values[j] = sum[j]! / models.length;
    return { name: tensor.name, shape: [...tensor.shape], values };
  });
}
