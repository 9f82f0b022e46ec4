/**
 * A dense head over a features matrix as a {@link Trainable}: batches are
 * gathered rows with inverted dropout applied to the representation, and an
 * evaluation scores every domain (training domains on their out-split, test
 * domains on their in-split).
 *
 * @example
 * ```ts
 * const trainable = headTrainable(weights, data, { trainDomains: [0, 1, 2], testDomains: [3] });
 * const state = await trainLoop(trainable, config);
 * ```
 */
import { headGradients, headLogits } from "./dense_head.ts";
import { argmaxRows } from "../averaging/ensemble.ts";
import { applyDropout } from "./dropout.ts";
import { domainPools } from "./sampler.ts";
import type { Trainable } from "./train_loop.ts";
import type { Weights } from "../models/weights.ts";

/** Features and their labels, domains and split flags. */
export interface FeatureRows {
  dimension: number;
  features: Float32Array;
  labels: Int32Array;
  domains: Int32Array;
  split: Uint8Array;
  domainNames: readonly string[];
}

export interface DomainRoles {
  trainDomains: number[];
  testDomains: number[];
}

/** Rows scored at each evaluation: training domains' out-split, test domains' in-split. */
export function evaluationGroups(
  data: FeatureRows,
  roles: DomainRoles,
): { domain: number; rows: Int32Array }[] {
  return [
    ...roles.trainDomains.map((d) => ({
      domain: d,
      rows: domainPools(data.domains, data.split, [d], 1)[0]!,
    })),
    ...roles.testDomains.map((d) => ({
      domain: d,
      rows: domainPools(data.domains, data.split, [d], 0)[0]!,
    })),
  ];
}

/** Copies the listed rows of a row-major matrix. */
export function gatherRows(matrix: Float32Array, dim: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let r = 0; r < rows.length; r++) {
    out.set(matrix.subarray(rows[r]! * dim, (rows[r]! + 1) * dim), r * dim);
  }
  return out;
}

export function headTrainable(weights: Weights, data: FeatureRows, roles: DomainRoles): Trainable {
  const groups = evaluationGroups(data, roles).map((g) => ({
    ...g,
    x: gatherRows(data.features, data.dimension, g.rows),
    labels: Int32Array.from(g.rows, (r) => data.labels[r]!),
  }));
  const classes = weights[weights.length - 1]!.values.length;
  return {
    params: weights.map((w) => w.values),
    infos: weights.map((w) => ({ size: w.values.length, role: "head" as const })),
    pools: domainPools(data.domains, data.split, roles.trainDomains, 0),
    gradients(rows, rate, rng) {
      const x = applyDropout(gatherRows(data.features, data.dimension, rows), rate, rng);
      return headGradients(weights, x, Int32Array.from(rows, (r) => data.labels[r]!));
    },
    evaluate() {
      const metrics: Record<string, number> = {};
      let val = 0, test = 0;
      for (const g of groups) {
        const predictions = argmaxRows(headLogits(weights, g.x, g.rows.length), classes);
        const acc = g.rows.length
          ? predictions.filter((p, i) => p === g.labels[i]).length / g.rows.length
          : 0;
        metrics[`acc_${data.domainNames[g.domain]}`] = acc;
        if (roles.trainDomains.includes(g.domain)) val += acc / roles.trainDomains.length;
        else test += acc / roles.testDomains.length;
      }
      if (roles.testDomains.length) metrics.test_acc = test;
      return { val, metrics };
    },
  };
}
