/**
 * Mean and standard error over trials (seeds), computed as DomainBed's
 * collect_results.py does: `np.std(data / sqrt(n))`, the population standard
 * deviation (n in the denominator, not n - 1) over root n - so tables compare
 * with published ones. One trial has no error bar (`stderr` is null).
 *
 * @example
 * ```ts
 * meanStderr([0.8, 0.82, 0.84]); // { mean: 0.82, stderr: 0.00943, n: 3 }
 * formatMeanStderr(meanStderr([0.8, 0.82, 0.84])); // "82.0 ± 0.9"
 * ```
 */
export interface MeanStderr {
  mean: number;
  stderr: number | null;
  n: number;
}

export function meanStderr(values: readonly number[]): MeanStderr {
  const n = values.length;
  if (n === 0) throw new RangeError("Cannot average an empty list");
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, stderr: null, n };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
  return { mean, stderr: Math.sqrt(variance / n), n };
}

/** Accuracy fractions as percentages with one decimal: "82.0 ± 1.2", or "82.0" for one trial. */
export function formatMeanStderr(value: MeanStderr | null): string {
  if (!value) return "-";
  const mean = (100 * value.mean).toFixed(1);
  return value.stderr === null ? mean : `${mean} ± ${(100 * value.stderr).toFixed(1)}`;
}
