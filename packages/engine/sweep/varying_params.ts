/**
 * Which parameters tell the rows of a sweep apart: the columns a sweep table
 * adds to the matrix values.
 */
import { canonicalJson } from "../util/canonical_json.ts";

/**
 * Nested parameter objects as dotted keys (`lr_decay.at`); arrays stay values.
 *
 * @example
 * ```ts
 * flattenParams({ lr: 0.1, lr_decay: { at: [400], factor: 0.1 } });
 * // { lr: 0.1, "lr_decay.at": [400], "lr_decay.factor": 0.1 }
 * ```
 */
export function flattenParams(
  params: Record<string, unknown>,
  prefix = "",
): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      Object.assign(flat, flattenParams(value as Record<string, unknown>, `${prefix}${key}.`));
    } else flat[`${prefix}${key}`] = value;
  }
  return flat;
}

/**
 * The dotted parameter keys whose values differ between rows, in first-seen
 * order, leaving out the ones a reader learns nothing from: a parameter equal
 * to a matrix value in every row (`dropout: ${{ matrix.dropout }}`) and one
 * that names upstream outputs (`<out:features[test_domain=0]>`).
 *
 * @example
 * ```ts
 * varyingParams([
 *   { matrix: { seed: 0 }, params: { seed: 0, lr: 0.1, steps: 10 } },
 *   { matrix: { seed: 1 }, params: { seed: 1, lr: 0.2, steps: 10 } },
 * ]); // ["lr"]
 * ```
 */
export function varyingParams(
  rows: readonly { matrix: Record<string, unknown>; params: Record<string, unknown> }[],
): string[] {
  const flat = rows.map((row) => flattenParams(row.params));
  const keys = [...new Set(flat.flatMap((params) => Object.keys(params)))];
  return keys.filter((key) => {
    const texts = flat.map((params) => canonicalJson(params[key]));
    if (new Set(texts).size < 2) return false;
    if (texts.some((text) => text.includes("<out:"))) return false;
    // `test_domains: ${{ matrix.test_domain }}` may parse to a one-element list.
    const fromMatrix = rows.every((row, i) =>
      Object.values(row.matrix).some((value) =>
        canonicalJson(value) === texts[i] || canonicalJson([value]) === texts[i]
      )
    );
    return !fromMatrix;
  });
}
