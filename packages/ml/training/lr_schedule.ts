/** Step decay of the learning rate: multiplied by `factor` at each step in `at`. */
export interface LrSchedule {
  /** Base learning rate. */
  lr: number;
  /** Steps at which the rate is multiplied by `factor` (e.g. `[5000]`). */
  at?: readonly number[];
  /** The multiplier applied at each of `at` (e.g. 0.1). */
  factor?: number;
}

/**
 * The learning rate for 0-based `step`.
 *
 * @example
 * ```ts
 * learningRate({ lr: 1e-3, at: [5000], factor: 0.1 }, 5000); // 1e-4
 * ```
 */
export function learningRate(schedule: LrSchedule, step: number): number {
  const passed = (schedule.at ?? []).filter((milestone) => step >= milestone).length;
  return schedule.lr * Math.pow(schedule.factor ?? 0.1, passed);
}
