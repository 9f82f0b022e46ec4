/**
 * Matrix expansion: the cartesian product of a stage's axes, minus `exclude`,
 * plus `include`. Pure.
 */

/** One expansion's values, in axis order. */
export type Combination = Record<string, unknown>;

/**
 * Expands axes in key order (the first axis varies slowest).
 *
 * @example
 * ```ts
 * expandMatrix({ seed: [0, 1], rate: [0.5] }, [{ seed: 1 }], []);
 * // [{ seed: 0, rate: 0.5 }]
 * ```
 */
export function expandMatrix(
  axes: Record<string, readonly unknown[]>,
  exclude: readonly Combination[],
  include: readonly Combination[],
): Combination[] {
  let combinations: Combination[] = [{}];
  for (const [axis, values] of Object.entries(axes)) {
    combinations = combinations.flatMap((partial) =>
      values.map((value) => ({ ...partial, [axis]: value }))
    );
  }
  const kept = combinations.filter((c) => !exclude.some((pattern) => matches(c, pattern)));
  return [...kept, ...include.map((extra) => ({ ...extra }))];
}

/** True when every key of `pattern` has an equal value in `combination`. */
export function matches(combination: Combination, pattern: Combination): boolean {
  return Object.entries(pattern).every(([k, v]) => sameValue(combination[k], v));
}

/**
 * The readable id of one expansion.
 *
 * @example
 * ```ts
 * expansionId("sweep", { seed: 0, rate: 0.5 }); // "sweep[seed=0,rate=0.5]"
 * ```
 */
export function expansionId(stage: string, combination: Combination): string {
  const parts = Object.entries(combination).map(([k, v]) => `${k}=${formatValue(v)}`);
  return parts.length === 0 ? stage : `${stage}[${parts.join(",")}]`;
}

function formatValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
