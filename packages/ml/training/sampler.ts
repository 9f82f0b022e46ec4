/**
 * Mini-batches as DomainBed draws them: B examples from each training
 * domain's in-split, sampled with replacement, concatenated domain by domain.
 *
 * @example
 * ```ts
 * const pools = domainPools(domains, split, [0, 1, 2]);
 * const batch = sampleBatch(pools, 32, rng); // 96 row indices
 * ```
 */
import type { Prng } from "../prng.ts";

/** Row indices of each listed domain within one split (0 = in, 1 = out). */
export function domainPools(
  domains: Int32Array,
  split: Uint8Array,
  domainIds: readonly number[],
  splitValue = 0,
): Int32Array[] {
  return domainIds.map((d) => {
    const rows: number[] = [];
    for (let i = 0; i < domains.length; i++) {
      if (domains[i] === d && split[i] === splitValue) rows.push(i);
    }
    return Int32Array.from(rows);
  });
}

/** `perDomain` indices drawn with replacement from each pool. */
export function sampleBatch(
  pools: readonly Int32Array[],
  perDomain: number,
  rng: Prng,
): Int32Array {
  const batch = new Int32Array(pools.length * perDomain);
  pools.forEach((pool, d) => {
    if (pool.length === 0) throw new RangeError(`Domain pool "${d}" is empty`);
    for (let k = 0; k < perDomain; k++) batch[d * perDomain + k] = pool[rng.int(pool.length)]!;
  });
  return batch;
}
