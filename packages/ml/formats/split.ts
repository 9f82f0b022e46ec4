/**
 * The per-domain in/out split of a data set (DomainBed's protocol): within
 * each domain, a seeded shuffle puts a fraction of the examples "out"
 * (held out for validation) and the rest "in" (for training).
 *
 * @example
 * ```ts
 * import { splitInOut } from "./split.ts";
 *
 * const split = splitInOut(new Int32Array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]), { seed: 0 });
 * // Uint8Array of 0 (in) and 1 (out): one "out" per domain of 5 at the default 20%
 * ```
 * @module
 */
import { Prng } from "../prng.ts";

/** Options of {@link splitInOut}. */
export interface SplitOptions {
  /** Fraction of each domain held out; default 0.2. */
  holdoutFraction?: number;
  /** Split seed; default 0. */
  seed?: number;
}

/** Split code of an example used for training. */
export const SPLIT_IN = 0;
/** Split code of a held-out example. */
export const SPLIT_OUT = 1;

/**
 * The split of each example (0 = in, 1 = out) from its domain index. The
 * result for one domain depends only on that domain's size, index and the
 * seed. A domain of two or more examples holds out at least one and keeps at
 * least one in, so both splits are usable on tiny data.
 *
 * @example
 * ```ts
 * const split = splitInOut(domains, { holdoutFraction: 0.2, seed: 1 });
 * ```
 */
export function splitInOut(domains: ArrayLike<number>, options: SplitOptions = {}): Uint8Array {
  const { holdoutFraction = 0.2, seed = 0 } = options;
  if (!(holdoutFraction >= 0 && holdoutFraction < 1)) {
    throw new RangeError(`Holdout fraction must be in [0, 1), got ${holdoutFraction}`);
  }
  const byDomain = new Map<number, number[]>();
  for (let i = 0; i < domains.length; i++) {
    const d = domains[i]!;
    const members = byDomain.get(d) ?? byDomain.set(d, []).get(d)!;
    members.push(i);
  }
  const split = new Uint8Array(domains.length);
  for (const [domain, members] of byDomain) {
    const out = holdoutCount(members.length, holdoutFraction);
    const shuffled = Prng.fromParts("split", seed, domain).shuffle(members);
    for (const index of shuffled.slice(0, out)) split[index] = SPLIT_OUT;
  }
  return split;
}

/** floor(n * fraction), clamped so both splits keep an example when n >= 2. */
export function holdoutCount(n: number, fraction: number): number {
  if (fraction <= 0 || n < 2) return 0;
  return Math.min(n - 1, Math.max(1, Math.floor(n * fraction)));
}
