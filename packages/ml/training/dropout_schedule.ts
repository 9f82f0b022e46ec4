/**
 * Dropout as a schedule over training steps (Liu et al., "Dropout reduces
 * underfitting", arXiv 2303.01500): the rate is recomputed every step.
 *
 * - `constant`: rate p throughout.
 * - `early`: p for the first `cutoff` steps (held, or decreasing linearly to 0), then 0.
 * - `late`: 0 for the first `cutoff` steps, then p.
 */
export interface DropoutSchedule {
  kind: "constant" | "early" | "late";
  /** The step at which early dropout stops or late dropout starts. */
  cutoff?: number;
  /** How early dropout behaves before the cutoff. */
  decay?: "constant" | "linear";
}

/**
 * The dropout rate to use at 0-based `step` for base rate `p`.
 *
 * @example
 * ```ts
 * dropoutRate(0.9, { kind: "early", cutoff: 100, decay: "linear" }, 50); // 0.45
 * dropoutRate(0.9, { kind: "late", cutoff: 100 }, 99); // 0
 * ```
 */
export function dropoutRate(p: number, schedule: DropoutSchedule, step: number): number {
  if (schedule.kind === "constant") return p;
  const cutoff = schedule.cutoff ?? 0;
  if (schedule.kind === "late") return step < cutoff ? 0 : p;
  if (step >= cutoff) return 0;
  return schedule.decay === "linear" ? p * (1 - step / cutoff) : p;
}
