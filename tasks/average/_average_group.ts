/**
 * One group of `average`: uniform and greedy soups, WiSE-FT of the best run
 * for each alpha, and the output ensemble, each written with its evaluation.
 */
import {
  architectureOf,
  argmaxRows,
  assertAverageable,
  type EvaluationRecord,
  evaluationRecord,
  greedySoup,
  type LabelledRows,
  meanProbabilities,
  type ModelMeta,
  type RunGroup,
  selectBest,
  subsetRows,
  uniformSoup,
  type Weights,
  wiseFt,
  withMeta,
  writeModelDir,
} from "@dropline/ml";
import { writeEnsembleDir } from "../_shared/ensemble_dir.ts";
import type { EvalData } from "../_shared/eval_data.ts";
import { type LoadedRun, loadRun } from "../_shared/run_dir.ts";

export type Method = "uniform_soup" | "greedy_soup" | "ensemble" | "wise_ft";

export interface GroupOptions {
  methods: Method[];
  greedyStrict: boolean;
  alphas: number[];
}

export interface GroupOutput {
  method: Method;
  /** Relative to the task's output directory. */
  path: string;
  evaluation: EvaluationRecord;
}

export async function averageGroup(
  group: RunGroup<LoadedRun>,
  data: EvalData,
  dir: string,
  outDir: string,
  options: GroupOptions,
): Promise<GroupOutput[]> {
  const runs = group.items;
  const base = baseMeta(runs);
  const valRows = validationRows(data.rows, data.domains, base.trainDomains);
  const score = async (weights: Weights, json = runs[0]!.json) =>
    subsetAccuracy(data, valRows, base, await data.probabilities({ json, weights }, valRows));
  if (options.methods.some((m) => m !== "ensemble")) {
    assertAverageable(
      runs.map((r) => ({
        label: r.dir,
        architecture: architectureOf(r.weights),
        start: r.meta.start,
      })),
    );
  }
  const outputs: GroupOutput[] = [];
  const save = async (
    method: Method,
    path: string,
    weights: Weights,
    params: Record<string, unknown>,
  ) => {
    const meta = { ...base, method, params: { ...base.params, ...params } };
    await writeModelDir(`${outDir}/${dir}/${path}`, withMeta(runs[0]!.json, meta), weights);
    outputs.push({
      method,
      path: `${dir}/${path}`,
      evaluation: await evaluate(data, meta, { json: runs[0]!.json, weights }),
    });
  };
  for (const method of options.methods) {
    if (method === "uniform_soup") {
      await save(method, method, uniformSoup(runs.map((r) => r.weights)), { members: runs.length });
    } else if (method === "greedy_soup") {
      const candidates = runs.map((r) => ({ weights: r.weights, score: r.val }));
      const soup = await greedySoup(candidates, (w) => score(w), { strict: options.greedyStrict });
      await save(method, method, soup.weights, {
        members: soup.ingredients.length,
        ingredients: soup.ingredients.map((i) => runs[i]!.dir),
        strict: options.greedyStrict,
      });
    } else if (method === "wise_ft") {
      const best = runs[selectBest(runs, (r) => r.val)]!;
      const initial = (await loadRun(best.dir, "initial")).weights;
      for (const alpha of options.alphas) {
        await save(method, `wise_ft/alpha=${alpha}`, wiseFt(initial, best.weights, alpha), {
          alpha,
          run: best.dir,
        });
      }
    } else {
      outputs.push(await ensemble(runs, base, data, dir, outDir));
    }
  }
  return outputs;
}

/** What every model of the group shares: domains, start, and the parameters all runs agree on. */
function baseMeta(runs: LoadedRun[]): ModelMeta {
  const first = runs[0]!.meta;
  for (const run of runs) {
    if (run.meta.testDomains.join("+") !== first.testDomains.join("+")) {
      throw new TypeError(
        `Cannot combine "${runs[0]!.dir}" and "${run.dir}": different test domains ` +
          `("${first.testDomains.join(", ")}" vs "${
            run.meta.testDomains.join(", ")
          }"); add test_domains to group_by`,
      );
    }
  }
  const params = Object.fromEntries(
    Object.entries(first.params).filter(([k, v]) =>
      !["checkpoint", "step"].includes(k) &&
      runs.every((r) => JSON.stringify(r.meta.params[k]) === JSON.stringify(v))
    ),
  );
  return { ...first, params };
}

/** Out-split rows of the training domains. */
function validationRows(rows: LabelledRows, domains: string[], trainDomains: string[]): Int32Array {
  const ids = trainDomains.map((d) => domains.indexOf(d));
  const out: number[] = [];
  for (let i = 0; i < rows.labels.length; i++) {
    if (rows.split[i] === 1 && ids.includes(rows.domains[i]!)) out.push(i);
  }
  return Int32Array.from(out);
}

/** Training-domain validation accuracy from probabilities on `subset` rows. */
function subsetAccuracy(
  data: EvalData,
  subset: Int32Array,
  meta: ModelMeta,
  probs: Float32Array,
): number {
  const rows = subsetRows(data.rows, subset);
  return evaluationRecord(argmaxRows(probs, data.classes.length), rows, meta).val_acc ?? 0;
}

async function evaluate(
  data: EvalData,
  meta: ModelMeta,
  model: Parameters<EvalData["probabilities"]>[0],
) {
  const probs = await data.probabilities(model);
  return evaluationRecord(argmaxRows(probs, data.classes.length), data.rows, meta);
}

async function ensemble(
  runs: LoadedRun[],
  base: ModelMeta,
  data: EvalData,
  dir: string,
  outDir: string,
): Promise<GroupOutput> {
  const meta = { ...base, method: "ensemble", params: { ...base.params, members: runs.length } };
  const members = runs.map((r) => ({ json: r.json, weights: r.weights }));
  await writeEnsembleDir(`${outDir}/${dir}/ensemble`, meta, members);
  const probs = meanProbabilities(await Promise.all(members.map((m) => data.probabilities(m))));
  const evaluation = evaluationRecord(argmaxRows(probs, data.classes.length), data.rows, meta);
  return { method: "ensemble", path: `${dir}/ensemble`, evaluation };
}
