/** Types of `ticks.js`, which the browser loads as it is. */

/** Labels of evenly spaced ticks with as many decimals as their spacing needs. */
export function tickLabels(values: number[], step?: number): string[];

/** About `count` round tick positions covering `[min, max]`, with the step used. */
export function niceTicks(min: number, max: number, count?: number): {
  values: number[];
  step: number;
};
