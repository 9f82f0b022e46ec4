/**
 * One group of `average`: uniform and greedy soups over every weight (for
 * networks, BatchNorm running statistics included), WiSE-FT of every run
 * towards the linear-probe network, and the output ensemble, each written
 * with its evaluation. Choices are made by training-domain validation with
 * the ranking of `validation_score.ts` (accuracy, then cross-entropy, then a
 * fixed rule), never by the order runs were listed in.
 */
import {
  architectureOf,
  argmaxRows,
  assertAverageable,
  evaluationRecord,
  greedySoup,
  type LabelledRows,
  meanProbabilities,
  type ModelMeta,
  type RunGroup,
  subsetRows,
  uniformSoup,
  validationScore,
  withMeta,
  writeModelDir,
} from "@dropline/ml";
import { writeEnsembleDir } from "../_shared/ensemble_dir.ts";
import { scoredRows } from "../_shared/scored_rows.ts";
import type { EvalData } from "../_shared/eval_data.ts";
import type { LoadedRun } from "../_shared/run_dir.ts";
import type { Method } from "./params.ts";
import type { GroupContext, GroupOutput } from "./_group_context.ts";
import { wiseFtOutputs } from "./_wise_ft_group.ts";

export interface GroupOptions {
  methods: Method[];
  greedyStrict: boolean;
  alphas: number[];
  checkpoint: "selected" | "last";
  /** Candidate linear-probe runs (any test domains: the group takes its own). */
  linearProbes: LoadedRun[];
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
  const valLabels = Int32Array.from(valRows, (r) => data.rows.labels[r]!);
  const g: GroupContext = {
    runs,
    base,
    data,
    score: async (model) =>
      validationScore(await data.probabilities(model, valRows), valLabels, data.classes.length),
    save: async ({ method, path, weights, meta, selection }) => {
      await writeModelDir(`${outDir}/${dir}/${path}`, withMeta(runs[0]!.json, meta), weights);
      const evaluation = await evaluate(data, meta, { json: runs[0]!.json, weights });
      return { method, path: `${dir}/${path}`, evaluation, ...(selection ? { selection } : {}) };
    },
  };
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
  for (const method of options.methods) {
    if (method === "uniform_soup") {
      const weights = uniformSoup(runs.map((r) => r.weights));
      const meta = { ...base, method, params: { ...base.params, members: runs.length } };
      outputs.push(await g.save({ method, path: method, weights, meta }));
    } else if (method === "greedy_soup") {
      outputs.push(await greedy(g, options.greedyStrict));
    } else if (method === "wise_ft") {
      outputs.push(...await wiseFtOutputs(g, options.linearProbes, options.alphas));
    } else {
      outputs.push(await ensemble(g, dir, outDir, options.checkpoint));
    }
  }
  return outputs;
}

async function greedy(g: GroupContext, strict: boolean): Promise<GroupOutput> {
  const json = g.runs[0]!.json;
  const candidates = [];
  for (const r of g.runs) {
    candidates.push({ label: r.dir, weights: r.weights, score: await g.score(r) });
  }
  const soup = await greedySoup(candidates, (weights) => g.score({ json, weights }), { strict });
  const meta = {
    ...g.base,
    method: "greedy_soup",
    params: {
      ...g.base.params,
      members: soup.ingredients.length,
      ingredients: soup.ingredients.map((i) => g.runs[i]!.dir),
      strict,
    },
  };
  const selection = {
    rule: "ranked by validation accuracy, then cross-entropy, then directory name",
    trace: soup.trace.map((t) => ({
      run: g.runs[t.candidate]!.dir,
      ...t.score,
      accepted: t.accepted,
    })),
  };
  return await g.save({
    method: "greedy_soup",
    path: "greedy_soup",
    weights: soup.weights,
    meta,
    selection,
  });
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

/** The rows outputs are scored on: all for heads; for networks, not the training data. */
function scoredSubset(data: EvalData, meta: ModelMeta): Int32Array | undefined {
  if (data.kind !== "network") return undefined;
  return scoredRows(data.rows, meta.trainDomains.map((d) => data.domains.indexOf(d)));
}

async function evaluate(
  data: EvalData,
  meta: ModelMeta,
  model: Parameters<EvalData["probabilities"]>[0],
) {
  const subset = scoredSubset(data, meta);
  const probs = await data.probabilities(model, subset);
  const rows = subset ? subsetRows(data.rows, subset) : data.rows;
  return evaluationRecord(argmaxRows(probs, data.classes.length), rows, meta);
}

async function ensemble(
  g: GroupContext,
  dir: string,
  outDir: string,
  checkpoint: GroupOptions["checkpoint"],
): Promise<GroupOutput> {
  const { runs, base, data } = g;
  const meta = { ...base, method: "ensemble", params: { ...base.params, members: runs.length } };
  // Networks are referenced where the runs keep them; heads (a few kB) are copied.
  const members = base.kind === "network"
    ? runs.map((r) => `${r.dir}/${checkpoint}`)
    : runs.map((r) => ({ json: r.json, weights: r.weights }));
  await writeEnsembleDir(`${outDir}/${dir}/ensemble`, meta, members);
  const subset = scoredSubset(data, meta);
  const probs: Float32Array[] = [];
  for (const r of runs) {
    probs.push(await data.probabilities({ json: r.json, weights: r.weights }, subset));
  }
  const evaluation = evaluationRecord(
    argmaxRows(meanProbabilities(probs), data.classes.length),
    subset ? subsetRows(data.rows, subset) : data.rows,
    meta,
  );
  return { method: "ensemble", path: `${dir}/ensemble`, evaluation };
}
