/**
 * Training-domain validation scores and how they rank models: higher
 * accuracy first; ties in accuracy (common: accuracy moves in steps of one
 * example) go to the lower validation cross-entropy, the mean negative
 * log-likelihood of the true class, which rarely ties. What remains tied is
 * broken by a rule each caller documents (a larger WiSE-FT alpha; the run
 * directory that sorts first) - never by the order models were listed in.
 *
 * @example
 * ```ts
 * const score = validationScore(probs, labels, 7); // { acc: 0.9, nll: 0.31 }
 * candidates.sort((a, b) => compareValidation(a.score, b.score) || a.dir.localeCompare(b.dir));
 * ```
 */

/** Accuracy and mean cross-entropy on the training domains' held-out rows. */
export interface ValidationScore {
  acc: number;
  nll: number;
}

/** Negative when `a` ranks before (is better than) `b`, positive after, 0 on a full tie. */
export function compareValidation(a: ValidationScore, b: ValidationScore): number {
  return b.acc - a.acc || a.nll - b.nll;
}

/** The score of class probabilities (rows x classes) against `labels`. */
export function validationScore(
  probs: Float32Array,
  labels: Int32Array,
  classes: number,
): ValidationScore {
  const n = labels.length;
  if (n === 0) return { acc: 0, nll: 0 };
  let correct = 0, nll = 0;
  for (let r = 0; r < n; r++) {
    const row = r * classes, label = labels[r]!;
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[row + c]! > probs[row + best]!) best = c;
    if (best === label) correct++;
    nll -= Math.log(Math.max(probs[row + label]!, 1e-30));
  }
  return { acc: correct / n, nll: nll / n };
}
