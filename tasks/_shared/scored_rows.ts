/**
 * The rows a network is scored on after training: every held-out (out) row
 * and every row of a test domain - what training-domain validation, the
 * o.o.d. accuracy and oracle selection read. The training domains'
 * in-splits are the training data: scoring them would cost a pass over
 * ~80% of the data set per model (minutes for a ResNet-50 on PACS) for an
 * accuracy no table uses, so their `in` accuracy is left null.
 *
 * @example
 * ```ts
 * const rows = scoredRows(data.rows, [0, 1, 2]); // indices, ascending
 * ```
 */
import type { LabelledRows } from "@dropline/ml";

export function scoredRows(rows: LabelledRows, trainDomains: readonly number[]): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < rows.labels.length; i++) {
    if (rows.split[i] === 1 || !trainDomains.includes(rows.domains[i]!)) out.push(i);
  }
  return Int32Array.from(out);
}
