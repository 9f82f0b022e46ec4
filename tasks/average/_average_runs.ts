/** The body of `average`: load runs, group them, average each group, write `average.json`. */
import { filterRuns, groupRuns } from "@dropline/ml";
import type { TaskContext } from "@dropline/task";
import { type AverageParams, methodsOf } from "./params.ts";
import { averageGroup } from "./_average_group.ts";
import type { GroupOutput } from "./_group_context.ts";
import { checkCompatible, type EvalData, openEvalData } from "../_shared/eval_data.ts";
import { checkFields } from "../_shared/param_fields.ts";
import { type LoadedRun, loadRun } from "../_shared/run_dir.ts";

export async function averageRuns(ctx: TaskContext<AverageParams>): Promise<void> {
  const p = ctx.params;
  const all: LoadedRun[] = [];
  for (const dir of p.runs) all.push(await loadRun(dir, p.checkpoint));
  // A misspelt field reads as null in every run: all would share one group.
  checkFields(all.map(paramsOf), p.group_by, { option: "group_by" });
  checkFields(all.map(paramsOf), Object.keys(p.where), { option: "where" });
  const runs = filterRuns(all, paramsOf, p.where);
  if (runs.length === 0) throw new RangeError(`No run matches "where" ${JSON.stringify(p.where)}`);
  const linearProbes: LoadedRun[] = [];
  for (const dir of p.linear_probe ?? []) linearProbes.push(await loadRun(dir, "selected"));
  const data = await openEvalData(runs[0]!.meta.kind, p);
  try {
    for (const run of runs) checkCompatible(run.meta, data, run.dir);
    await averageAll(ctx, runs, data, linearProbes);
  } finally {
    data.close?.();
  }
}

/** A run's parameters as `group_by` and `where` see them. */
function paramsOf(r: LoadedRun): Record<string, unknown> {
  return { ...r.summary.params, test_domains: r.summary.test_domains };
}

async function averageAll(
  ctx: TaskContext<AverageParams>,
  runs: LoadedRun[],
  data: EvalData,
  linearProbes: LoadedRun[],
): Promise<void> {
  const p = ctx.params;
  const groups = groupRuns(runs, paramsOf, p.group_by);
  const results: {
    id: string;
    key: Record<string, unknown>;
    runs: string[];
    outputs: GroupOutput[];
  }[] = [];
  for (const [i, group] of groups.entries()) {
    ctx.signal.throwIfAborted();
    ctx.progress({ done: i, total: groups.length, unit: "groups", note: group.id });
    const dir = `groups/${slug(group.id)}`;
    const outputs = await averageGroup(group, data, dir, ctx.outDir, {
      methods: methodsOf(p),
      greedyStrict: p.greedy_strict,
      alphas: p.alphas,
      checkpoint: p.checkpoint,
      linearProbes,
    });
    for (const o of outputs) {
      await Deno.writeTextFile(
        `${ctx.outDir}/${o.path}/evaluation.json`,
        JSON.stringify(o.evaluation, null, 2) + "\n",
      );
    }
    results.push({ id: group.id, key: group.key, runs: group.items.map((r) => r.dir), outputs });
    ctx.log.info(
      `${group.id}: ${outputs.map((o) => `${o.path} ood ${fmt(o.evaluation.ood)}`).join("; ")}`,
    );
  }
  ctx.progress({ done: groups.length, total: groups.length, unit: "groups" });
  const json = { task: "average", checkpoint: p.checkpoint, group_by: p.group_by, groups: results };
  await Deno.writeTextFile(`${ctx.outDir}/average.json`, JSON.stringify(json, null, 2) + "\n");
}

/** A directory name from a group id: `test_domains=S,dropout=0.9` stays readable. */
function slug(id: string): string {
  return id.replace(/[^A-Za-z0-9._=+,-]/g, "_") || "all";
}

function fmt(value: number | null): string {
  return value === null ? "-" : `${(100 * value).toFixed(1)}%`;
}
