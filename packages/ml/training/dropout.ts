/**
 * Inverted dropout with masks drawn from our own seeded generator, so masks
 * are reproducible and resumable: each element is zeroed with probability
 * `rate`, and kept ones are scaled by 1 / (1 - rate).
 *
 * @example
 * ```ts
 * const x = new Float32Array([1, 2, 3, 4]);
 * applyDropout(x, 0.5, Prng.fromSeed(1)); // e.g. [2, 0, 6, 0], in place
 * ```
 */
import type { Prng } from "../prng.ts";

/** Applies dropout to `x` in place and returns it; rate 0 leaves it untouched. */
export function applyDropout(x: Float32Array, rate: number, rng: Prng): Float32Array {
  if (rate <= 0) return x;
  if (rate >= 1) throw new RangeError(`Dropout rate "${rate}" must be below 1`);
  const scale = 1 / (1 - rate);
  // Integer comparison with the raw draws: u < rate * 2^32 has probability `rate`.
  const threshold = rate * 4294967296;
  const draws = rng.fillUint32(new Uint32Array(x.length));
  for (let j = 0; j < x.length; j++) {
    x[j] = draws[j]! < threshold ? 0 : x[j]! * scale;
  }
  return x;
}
