/** What a model is scored on; `eval_data.ts` opens one for heads or networks. */
import type { LabelledRows, ModelJson, Weights } from "@dropline/ml";

export interface EvalData {
  kind: "head" | "network";
  classes: string[];
  domains: string[];
  rows: LabelledRows;
  /** Class probabilities (rows x classes) of a model, on `subset` rows or all. */
  probabilities(
    model: { json: ModelJson; weights: Weights },
    subset?: Int32Array,
  ): Promise<Float32Array>;
  /** Releases open files (networks read images from disk). */
  close?(): void;
}
