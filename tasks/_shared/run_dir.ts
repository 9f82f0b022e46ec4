/** Reading a `finetune` output directory: its summary and its models. */
import {
  type ModelJson,
  type ModelMeta,
  modelMetaOf,
  readModelDir,
  type Weights,
} from "@dropline/ml";
import type { ModelSummary } from "../finetune/_finetune_outputs.ts";

export interface RunSummary {
  task: "finetune";
  kind: "head" | "network";
  params: Record<string, unknown>;
  classes: string[];
  domains: string[];
  train_domains: string[];
  test_domains: string[];
  start: string;
  effective_lr: number;
  selected: ModelSummary;
  last: ModelSummary;
}

export interface LoadedRun {
  dir: string;
  summary: RunSummary;
  meta: ModelMeta;
  json: ModelJson;
  weights: Weights;
  /** Validation score of the chosen checkpoint. */
  val: number;
}

export async function readRunSummary(dir: string): Promise<RunSummary> {
  let summary: RunSummary;
  try {
    summary = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
  } catch {
    throw new TypeError(`"${dir}" is not a finetune output: summary.json is missing or invalid`);
  }
  if (summary.task !== "finetune") {
    throw new TypeError(`"${dir}/summary.json" is not a finetune summary`);
  }
  return summary;
}

/** A run with the model of one of its checkpoints (`selected`, `last` or `initial`). */
export async function loadRun(
  dir: string,
  checkpoint: "selected" | "last" | "initial",
): Promise<LoadedRun> {
  const summary = await readRunSummary(dir);
  const { json, weights } = await readModelDir(`${dir}/${checkpoint}`);
  const meta = modelMetaOf(json, `${dir}/${checkpoint}`);
  const val = checkpoint === "initial" ? 0 : summary[checkpoint].val_acc;
  return { dir, summary, meta, json, weights, val };
}
