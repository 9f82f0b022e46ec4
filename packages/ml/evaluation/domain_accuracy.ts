/**
 * Accuracy per domain and split, and the two summary numbers of a domain
 * generalisation run: i.i.d. = mean accuracy over the training domains'
 * out-splits (the training-domain validation score); o.o.d. = mean over the
 * test domains of their in-split accuracy (DomainBed's "test accuracy"; the
 * test domains' out-splits are left for oracle selection).
 *
 * @example
 * ```ts
 * const acc = domainAccuracy(predictions, { labels, domains, split }, ["A", "C", "P", "S"]);
 * summarizeAccuracy(acc, ["A", "C", "P"], ["S"]); // { iid: 0.93, ood: 0.71 }
 * ```
 */
export interface SplitAccuracy {
  in: number | null;
  out: number | null;
  all: number | null;
  n_in: number;
  n_out: number;
}

/** Per-row labels, domain ids and split flags (0 = in, 1 = out). */
export interface LabelledRows {
  labels: Int32Array;
  domains: Int32Array;
  split: Uint8Array;
}

/** Accuracy of `predictions` on every domain's in, out and whole data. */
export function domainAccuracy(
  predictions: Int32Array,
  rows: LabelledRows,
  domainNames: readonly string[],
): Record<string, SplitAccuracy> {
  const counts = domainNames.map(() => [0, 0, 0, 0]); // correct in, total in, correct out, total out
  for (let i = 0; i < predictions.length; i++) {
    const c = counts[rows.domains[i]!];
    if (!c) continue;
    const offset = rows.split[i] === 1 ? 2 : 0;
    c[offset + 1]!++;
    if (predictions[i] === rows.labels[i]) c[offset]!++;
  }
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  return Object.fromEntries(domainNames.map((name, d) => {
    const [ci, ti, co, to] = counts[d] as [number, number, number, number];
    return [name, {
      in: ratio(ci, ti),
      out: ratio(co, to),
      all: ratio(ci + co, ti + to),
      n_in: ti,
      n_out: to,
    }];
  }));
}

/** The i.i.d. (validation) and o.o.d. (test) numbers of one evaluation. */
export function summarizeAccuracy(
  accuracy: Record<string, SplitAccuracy>,
  trainDomains: readonly string[],
  testDomains: readonly string[],
): { iid: number | null; ood: number | null } {
  const mean = (values: (number | null | undefined)[]) => {
    const known = values.filter((v): v is number => typeof v === "number");
    return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
  };
  return {
    iid: mean(trainDomains.map((d) => accuracy[d]?.out)),
    ood: mean(testDomains.map((d) => accuracy[d]?.in ?? accuracy[d]?.all)),
  };
}

/** The listed rows only, in order (to score predictions made on a subset). */
export function subsetRows(rows: LabelledRows, subset: Int32Array): LabelledRows {
  return {
    labels: Int32Array.from(subset, (i) => rows.labels[i]!),
    domains: Int32Array.from(subset, (i) => rows.domains[i]!),
    split: Uint8Array.from(subset, (i) => rows.split[i]!),
  };
}
