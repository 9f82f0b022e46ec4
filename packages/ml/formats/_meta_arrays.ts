import type { NpyArray } from "./npy.ts";

interface Meta {
  count: number;
  classes: string[];
  domains: string[];
}

/** Checks labels/domains/split arrays against a description; returns them typed. */
export function checkMetaArrays(
  dir: string,
  info: Meta,
  labels: NpyArray,
  domains: NpyArray,
  split: NpyArray,
): { labels: Int32Array; domains: Int32Array; split: Uint8Array } {
  const fail = (message: string) => new SyntaxError(`Invalid "${dir}": ${message}`);
  const check = (name: string, array: NpyArray, dtype: string, limit: number) => {
    if (array.dtype !== dtype || array.shape.length !== 1 || array.shape[0] !== info.count) {
      throw fail(
        `${name}.npy is ${array.dtype} (${array.shape}), expected ${dtype} (${info.count},)`,
      );
    }
    for (const value of array.data as Iterable<number>) {
      if (!(value >= 0 && value < limit)) {
        throw fail(`${name}.npy holds ${value}, outside [0, ${limit})`);
      }
    }
  };
  check("labels", labels, "int32", info.classes.length);
  check("domains", domains, "int32", info.domains.length);
  check("split", split, "uint8", 2);
  return {
    labels: labels.data as Int32Array,
    domains: domains.data as Int32Array,
    split: split.data as Uint8Array,
  };
}

/** Per-domain counts of in and out examples, keyed by domain name. */
export function countSplits(
  domainNames: readonly string[],
  domains: ArrayLike<number>,
  split: ArrayLike<number>,
): Record<string, { in: number; out: number }> {
  const counts: Record<string, { in: number; out: number }> = {};
  for (const name of domainNames) counts[name] = { in: 0, out: 0 };
  for (let i = 0; i < domains.length; i++) {
    const entry = counts[domainNames[domains[i]!]!]!;
    if (split[i] === 1) entry.out++;
    else entry.in++;
  }
  return counts;
}
