// @ts-self-types="./ticks.d.ts"
// Axis ticks shared by the stage page's uPlot charts (in the browser) and the
// server-drawn SVG charts: one module, so both label an axis the same way.

/** Decimals that write `step` exactly: 0.25 -> 2, 0.0005 -> 4, 50 -> 0. */
function decimalsOf(step) {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  // Six significant digits drop the float noise of computed steps (0.1 * 3).
  const [mantissa, exponent] = step.toExponential(5).split("e");
  const digits = mantissa.replace(/0+$/, "").replace(/\.$/, "");
  const fraction = digits.includes(".") ? digits.length - digits.indexOf(".") - 1 : 0;
  return Math.max(0, fraction - Number(exponent));
}

/**
 * Labels of evenly spaced ticks with as many decimals as their spacing needs,
 * so neighbouring ticks never read alike: `0.0025, 0.002, 0.0015` rather than
 * `0.003, 0.002, 0.002`. Very small or very large scales use exponents.
 *
 * @param {number[]} values tick positions in order
 * @param {number} [step] distance between ticks (default: from the first two)
 * @returns {string[]}
 */
export function tickLabels(values, step) {
  const spacing = step ?? (values.length > 1 ? Math.abs(values[1] - values[0]) : 0);
  const largest = Math.max(0, ...values.map((v) => Math.abs(v)));
  if (largest !== 0 && (largest < 1e-3 || largest >= 1e6)) {
    const exponent = Math.floor(Math.log10(largest));
    const digits = Math.min(6, decimalsOf(spacing / 10 ** exponent));
    return values.map((v) => (v === 0 ? "0" : v.toExponential(digits).replace("e+", "e")));
  }
  const digits = Math.min(12, decimalsOf(spacing));
  return values.map((v) => {
    const text = v.toFixed(digits);
    // "-0.000" reads oddly at the origin.
    return Number(text) === 0 ? (0).toFixed(digits) : text;
  });
}

/**
 * About `count` round tick positions (steps of 1, 2 or 5 times a power of
 * ten) covering `[min, max]`, with the step used.
 *
 * @param {number} min
 * @param {number} max
 * @param {number} [count]
 * @returns {{ values: number[], step: number }}
 */
export function niceTicks(min, max, count = 5) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { values: [], step: 0 };
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) / 10;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const values = [];
  for (let i = first; i <= last; i++) values.push(Number((i * step).toPrecision(12)));
  return { values, step };
}
