/**
 * Writes a fine-tuning run's outputs, the same for both paths: `initial/`,
 * `last/` and `selected/` model directories, `metrics.jsonl` and
 * `summary.json` (parameters, domains, selected step, accuracies per domain
 * and split, effective learning rate).
 */
import {
  domainAccuracy,
  effectiveLearningRate,
  type LabelledRows,
  type ModelMeta,
  type SplitAccuracy,
  subsetRows,
  summarizeAccuracy,
  type TrainState,
  type Weights,
} from "@dropline/ml";
import { type FinetuneParams, trainConfigOf } from "../_shared/finetune_params.ts";

export interface RunOutputs {
  outDir: string;
  params: FinetuneParams;
  /** Writes one model directory (a head as JSON plus weights; a network through TF.js). */
  writeModel(dir: string, weights: Weights, meta: ModelMeta): Promise<void>;
  meta: ModelMeta;
  initial: Weights;
  /** All of the model's weights, given the trained parameters' values. */
  fullWeights(values: Float32Array[]): Weights;
  state: TrainState;
  /** More fields for `summary.json` (e.g. the network path's augmentation and trained weights). */
  extra?: Record<string, unknown>;
  rows: LabelledRows;
  /** Rows the summary scores (default all; networks skip the training data, see `scored_rows.ts`). */
  scored?: Int32Array;
  /** Predicted class of every row of `scored` (or of every row) for the given weights. */
  predict(weights: Weights): Promise<Int32Array>;
  /** Writes a line to the stage's log (the final result goes there too). */
  log(message: string): void;
}

export interface ModelSummary {
  step: number;
  val_acc: number;
  iid: number | null;
  ood: number | null;
  accuracy: Record<string, SplitAccuracy>;
}

export const FINETUNE_OUTPUTS = [
  "selected/model.json",
  "last/model.json",
  "initial/model.json",
  "metrics.jsonl",
  "summary.json",
];

export async function writeRunOutputs(run: RunOutputs): Promise<void> {
  const { state, meta } = run;
  const best = state.best!;
  const models = {
    initial: run.initial,
    last: run.fullWeights(state.params),
    selected: run.fullWeights(best.params),
  };
  for (const [name, weights] of Object.entries(models)) {
    const params = {
      ...meta.params,
      checkpoint: name,
      step: name === "initial" ? 0 : name === "last" ? state.step : best.step,
    };
    await run.writeModel(`${run.outDir}/${name}`, weights, { ...meta, params });
  }
  await Deno.writeTextFile(
    `${run.outDir}/metrics.jsonl`,
    state.records.map((r) => JSON.stringify(r) + "\n").join(""),
  );
  const describe = async (weights: Weights, step: number, val: number): Promise<ModelSummary> => {
    const rows = run.scored ? subsetRows(run.rows, run.scored) : run.rows;
    const accuracy = domainAccuracy(await run.predict(weights), rows, meta.domains);
    return {
      step,
      val_acc: val,
      ...summarizeAccuracy(accuracy, meta.trainDomains, meta.testDomains),
      accuracy,
    };
  };
  const lastVal = state.records.at(-1)?.val_acc ?? 0;
  const summary = {
    task: "finetune",
    kind: meta.kind,
    params: meta.params,
    classes: meta.classes,
    domains: meta.domains,
    train_domains: meta.trainDomains,
    test_domains: meta.testDomains,
    start: meta.start,
    effective_lr: effectiveLearningRate(run.params.lr, trainConfigOf(run.params).optimizer),
    ...run.extra,
    selected: await describe(models.selected, best.step, best.val),
    last: await describe(models.last, state.step, lastVal),
  };
  await Deno.writeTextFile(`${run.outDir}/summary.json`, JSON.stringify(summary, null, 2) + "\n");
  run.log(resultLine(summary.selected, summary.last));
}

function percent(value: number | null): string {
  return value === null ? "-" : `${(100 * value).toFixed(1)}%`;
}

/** The stage's result as its log's last line: what `summary.json` says, readable. */
function resultLine(selected: ModelSummary, last: ModelSummary): string {
  const scores = (m: ModelSummary) => `i.i.d. ${percent(m.iid)}, o.o.d. ${percent(m.ood)}`;
  return `Selected step ${selected.step} by training-domain validation ` +
    `(val ${percent(selected.val_acc)}): ${scores(selected)}; last step ${last.step}: ${
      scores(last)
    }`;
}
