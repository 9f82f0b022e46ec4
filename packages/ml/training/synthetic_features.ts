/**
 * Synthetic features with a known answer, for tests and benchmarks: each
 * example is its class prototype plus its domain's offset plus Gaussian noise,
 * so a linear head can separate classes and domains shift the inputs.
 *
 * @example
 * ```ts
 * const data = syntheticFeatures({ dimension: 64, classes: 3, domains: ["a", "b", "c"], perDomain: 100 });
 * await writeFeatures(dir, { info: syntheticFeaturesInfo(data), ...data });
 * ```
 */
import { Prng } from "../prng.ts";

export interface SyntheticOptions {
  dimension: number;
  classes: number;
  domains: string[];
  perDomain: number;
  /** Noise standard deviation relative to the unit-variance prototypes (default 2). */
  noise?: number;
  /** Scale of each domain's offset (default 1). */
  shift?: number;
  /** Fraction of each domain held out (split 1; default 0.2). */
  holdout?: number;
  seed?: number;
}

export interface SyntheticFeatures {
  dimension: number;
  classNames: string[];
  domainNames: string[];
  features: Float32Array;
  labels: Int32Array;
  domains: Int32Array;
  split: Uint8Array;
}

export function syntheticFeatures(options: SyntheticOptions): SyntheticFeatures {
  const rng = Prng.fromSeed(options.seed ?? 0);
  const { dimension: dim, classes, perDomain } = options;
  const gaussians = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => rng.normal() * scale);
  const prototypes = gaussians(classes * dim, 1);
  const offsets = gaussians(options.domains.length * dim, options.shift ?? 1);
  const n = perDomain * options.domains.length;
  const features = new Float32Array(n * dim);
  const labels = new Int32Array(n), domains = new Int32Array(n), split = new Uint8Array(n);
  const noise = options.noise ?? 2, holdout = options.holdout ?? 0.2;
  for (let i = 0; i < n; i++) {
    const d = Math.floor(i / perDomain), c = i % classes;
    labels[i] = c;
    domains[i] = d;
    split[i] = (i % perDomain) < Math.round(perDomain * holdout) ? 1 : 0;
    for (let j = 0; j < dim; j++) {
      features[i * dim + j] = prototypes[c * dim + j]! + offsets[d * dim + j]! +
        noise * rng.normal();
    }
  }
  return {
    dimension: dim,
    classNames: Array.from({ length: classes }, (_, c) => `class_${c}`),
    domainNames: [...options.domains],
    features,
    labels,
    domains,
    split,
  };
}
