/**
 * Output ensemble: the mean of several models' predicted probabilities.
 *
 * @example
 * ```ts
 * const probs = meanProbabilities([probsA, probsB]); // each n x classes
 * ```
 */

/** Element-wise mean of equally shaped probability arrays. */
export function meanProbabilities(members: readonly Float32Array[]): Float32Array {
  const first = members[0];
  if (!first) throw new TypeError("Cannot make an ensemble of no models");
  const sum = new Float64Array(first.length);
  for (const probs of members) {
    if (probs.length !== first.length) {
      throw new TypeError(
        `Cannot ensemble outputs of sizes "${first.length}" and "${probs.length}"`,
      );
    }
    for (let j = 0; j < sum.length; j++) sum[j]! += probs[j]!;
  }
  return Float32Array.from(sum, (s) => s / members.length);
}

/** The arg-max class of each row. */
export function argmaxRows(probs: Float32Array, classes: number): Int32Array {
  const n = probs.length / classes;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (probs[r * classes + c]! > probs[r * classes + best]!) best = c;
    }
    out[r] = best;
  }
  return out;
}
