/** The body of `report`: read runs, averages and evaluations; write report.md, report.json and plots. */
import { domainbedTable, type EvaluationRecord } from "@dropline/ml";
import type { TaskContext } from "@dropline/task";
import { reportMarkdown } from "./_report_markdown.ts";
import { reportPlots } from "./_report_plots.ts";
import { columnOf, type Layout, type ReportItem, rowOrder, tableEntries } from "./_report_items.ts";
import { readRunSummary } from "../_shared/run_dir.ts";
import type { ReportParams } from "./params.ts";

async function readJson<T>(path: string): Promise<T> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new TypeError(`Cannot read "${path}": ${(error as Error).message}`);
  }
}

async function runItem(dir: string, method = "finetune"): Promise<ReportItem> {
  const s = await readRunSummary(dir);
  const metrics = await Deno.readTextFile(`${dir}/metrics.jsonl`).catch(() => "");
  return {
    source: "run",
    method,
    params: { ...s.params, effective_lr: s.effective_lr },
    testDomains: s.test_domains,
    val: s.selected.val_acc,
    iid: s.selected.iid,
    ood: s.selected.ood,
    path: dir,
    curve: metrics.trim() ? metrics.trim().split("\n").map((l) => JSON.parse(l)) : [],
  };
}

function recordItem(
  source: ReportItem["source"],
  record: EvaluationRecord,
  path: string,
): ReportItem {
  return {
    source,
    method: record.method,
    params: record.params,
    testDomains: record.test_domains,
    val: record.val_acc ?? 0,
    iid: record.iid,
    ood: record.ood,
    path,
  };
}

async function averageItems(dir: string): Promise<ReportItem[]> {
  const json = await readJson<
    { groups: { outputs: { path: string; evaluation: EvaluationRecord }[] }[] }
  >(`${dir}/average.json`);
  return json.groups.flatMap((g) =>
    g.outputs.map((o) => recordItem("average", o.evaluation, `${dir}/${o.path}`))
  );
}

export async function writeReport(ctx: TaskContext<ReportParams>): Promise<void> {
  const p = ctx.params;
  const items: ReportItem[] = [];
  for (const dir of p.runs ?? []) items.push(await runItem(dir));
  for (const dir of p.linear_probe ?? []) items.push(await runItem(dir, "linear_probe"));
  for (const dir of p.averages ?? []) items.push(...await averageItems(dir));
  for (const dir of p.evaluations ?? []) {
    items.push(recordItem("evaluation", await readJson(`${dir}/evaluation.json`), dir));
  }
  const layout: Layout = { rowsBy: p.rows_by, trialsBy: p.trials_by };
  const order = {
    rows: rowOrder(items, layout),
    columns: [...new Set(items.map(columnOf))].sort(),
  };
  const ood = domainbedTable(tableEntries(items, layout, "ood"), order);
  const iid = domainbedTable(tableEntries(items, layout, "iid"), order);
  const plots = p.plots ? reportPlots(items, layout) : [];
  for (const plot of plots) await Deno.writeTextFile(`${ctx.outDir}/${plot.file}`, plot.svg);
  const count = (source: ReportItem["source"]) => items.filter((i) => i.source === source).length;
  const description = `${count("run")} fine-tuning runs, ${count("average")} averaged models and ` +
    `${count("evaluation")} evaluations; test domains ${
      order.columns.map((c) => `"${c}"`).join(", ")
    }; ` +
    `trials by ${p.trials_by.join(", ") || "nothing"}.`;
  await Deno.writeTextFile(
    `${ctx.outDir}/report.md`,
    reportMarkdown({ title: p.title, description, ood, iid, plots }),
  );
  const json = {
    title: p.title,
    layout,
    columns: order.columns,
    tables: { ood, iid },
    plots: plots.map((pl) => ({ file: pl.file, title: pl.title })),
    items: items.map(({ curve: _curve, ...rest }) => rest),
  };
  await Deno.writeTextFile(`${ctx.outDir}/report.json`, JSON.stringify(json, null, 2) + "\n");
  ctx.log.info(
    `Report of ${items.length} results in ${ood.rows.length} rows and ${order.columns.length} columns`,
  );
}
