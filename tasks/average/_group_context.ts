/**
 * What the parts of one `average` group (soups, WiSE-FT, ensembles) share,
 * in a module of its own so that the parts and the group that calls them do
 * not import each other.
 */
import type {
  EvaluationRecord,
  ModelJson,
  ModelMeta,
  ValidationScore,
  Weights,
} from "@dropline/ml";
import type { EvalData } from "../_shared/eval_data.ts";
import type { LoadedRun } from "../_shared/run_dir.ts";
import type { Method } from "./params.ts";

/** One output of a group: a model or ensemble directory with its evaluation. */
export interface GroupOutput {
  method: Method;
  /** Relative to the task's output directory. */
  path: string;
  evaluation: EvaluationRecord;
  /** How a choice was made (greedy soup trace, WiSE-FT alphas), for the record. */
  selection?: Record<string, unknown>;
}

/** What the parts of a group share: the data, scoring on validation rows, and saving outputs. */
export interface GroupContext {
  runs: LoadedRun[];
  base: ModelMeta;
  data: EvalData;
  /** Training-domain validation score of a model. */
  score(model: { json: ModelJson; weights: Weights }): Promise<ValidationScore>;
  /** Writes a model under the group's directory and evaluates it on every row. */
  save(output: {
    method: Method;
    path: string;
    weights: Weights;
    meta: ModelMeta;
    selection?: Record<string, unknown>;
  }): Promise<GroupOutput>;
}
