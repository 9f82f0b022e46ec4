/**
 * Weight averaging across runs only makes sense for one architecture and one
 * starting point; this check refuses anything else, naming the culprits.
 *
 * @example
 * ```ts
 * assertAverageable([
 *   { label: "run-a", architecture: "logits/kernel:4x2", start: "ab12" },
 *   { label: "run-b", architecture: "logits/kernel:4x2", start: "ab12" },
 * ]); // ok; throws a TypeError naming the odd one out otherwise
 * ```
 */
export interface Ingredient {
  /** How errors name it (e.g. a run's stage id or directory). */
  label: string;
  /** From `architectureOf()`. */
  architecture: string;
  /** Digest of the initial weights the run started from. */
  start: string;
}

/** Throws a `TypeError` unless every ingredient matches the first. */
export function assertAverageable(ingredients: readonly Ingredient[]): void {
  const first = ingredients[0];
  if (!first) throw new TypeError("Cannot average an empty list of models");
  for (const other of ingredients.slice(1)) {
    if (other.architecture !== first.architecture) {
      throw new TypeError(
        `Cannot average "${first.label}" and "${other.label}": different architectures ` +
          `("${abbreviate(first.architecture)}" vs "${abbreviate(other.architecture)}")`,
      );
    }
    if (other.start !== first.start) {
      throw new TypeError(
        `Cannot average "${first.label}" and "${other.label}": different starting points ` +
          `(initial weights "${first.start.slice(0, 12)}" vs "${other.start.slice(0, 12)}")`,
      );
    }
  }
}

function abbreviate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
