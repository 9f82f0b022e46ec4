/**
 * A small deterministic pseudo-random generator (splitmix32), seeded from any
 * list of numbers and strings, so every seeded choice in a data set (shuffles,
 * splits, label noise) is reproducible across machines and runtimes.
 *
 * @example
 * ```ts
 * import { seededRandom } from "./seeded_random.ts";
 *
 * const rng = seededRandom("split", 0, 3); // seed 0, domain 3
 * rng.shuffle([1, 2, 3, 4]);
 * rng.next(); // a float in [0, 1)
 * ```
 * @module
 */

/** A seeded source of random numbers. */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** A whole number in [0, n). */
  int(n: number): number;
  /** True with probability `p`. */
  bernoulli(p: number): boolean;
  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
}

/**
 * A generator whose sequence depends only on `seedParts`.
 *
 * @example
 * ```ts
 * const a = seededRandom(42).next();
 * const b = seededRandom(42).next(); // a === b
 * ```
 */
export function seededRandom(...seedParts: (number | string)[]): SeededRandom {
  let state = hashParts(seedParts);
  const next = (): number => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    bernoulli: (p) => next() < p,
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
  };
}

/** FNV-1a over the parts' text, so `(1, 23)` and `(12, 3)` differ. */
function hashParts(parts: (number | string)[]): number {
  let hash = 0x811c9dc5;
  for (const char of parts.map((part) => `${typeof part}:${part}`).join("\u0000")) {
    hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  }
  return hash | 0;
}
