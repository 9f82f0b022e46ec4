/**
 * The evaluation record that `evaluate` writes and `average` and `report`
 * read: how a model (or ensemble) was made, and its accuracy on every domain
 * and split, with the i.i.d. (training-domain validation) and o.o.d. (test
 * domain) summaries.
 *
 * @example
 * ```ts
 * const record = evaluationRecord(predictions, rows, meta);
 * await Deno.writeTextFile("evaluation.json", JSON.stringify(record));
 * ```
 */
import {
  domainAccuracy,
  type LabelledRows,
  type SplitAccuracy,
  summarizeAccuracy,
} from "./domain_accuracy.ts";
import type { ModelMeta } from "../models/model_meta.ts";

export interface EvaluationRecord {
  method: string;
  params: Record<string, unknown>;
  train_domains: string[];
  test_domains: string[];
  /** Mean out-split accuracy of the training domains (= iid): what selection uses. */
  val_acc: number | null;
  iid: number | null;
  ood: number | null;
  accuracy: Record<string, SplitAccuracy>;
}

export function evaluationRecord(
  predictions: Int32Array,
  rows: LabelledRows,
  meta: Pick<ModelMeta, "method" | "params" | "domains" | "trainDomains" | "testDomains">,
): EvaluationRecord {
  const accuracy = domainAccuracy(predictions, rows, meta.domains);
  const { iid, ood } = summarizeAccuracy(accuracy, meta.trainDomains, meta.testDomains);
  return {
    method: meta.method,
    params: meta.params,
    train_domains: meta.trainDomains,
    test_domains: meta.testDomains,
    val_acc: iid,
    iid,
    ood,
    accuracy,
  };
}
