/**
 * The body of `report`: read runs, averages and evaluations; write report.md, report.json,
 * report.tex and plots.
 */
import { domainbedTable, type EvaluationRecord } from "@dropline/ml";
import type { TaskContext } from "@dropline/task";
import { reportMarkdown } from "./_report_markdown.ts";
import { reportPlots } from "./_report_plots.ts";
import { methodsVsDropout } from "./_report_method_plot.ts";
import { findings } from "./_report_findings.ts";
import { latexTable } from "./_report_latex.ts";
import { describeItems } from "./_report_description.ts";
import { rowInfos } from "./_report_rows.ts";
import {
  checkpointOf,
  columnOf,
  type Layout,
  oracleOf,
  type ReportItem,
  rowOrder,
  tableEntries,
} from "./_report_items.ts";
import { readRunSummary } from "../_shared/run_dir.ts";
import { checkFields } from "../_shared/param_fields.ts";
import { DEFAULT_ROWS_BY, DEFAULT_TRIALS_BY, type ReportParams } from "./params.ts";

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
    oracle: oracleOf(s.last.accuracy, s.test_domains),
    path: dir,
    curve: metrics.trim() ? metrics.trim().split("\n").map((l) => JSON.parse(l)) : [],
  };
}

function recordItem(
  source: ReportItem["source"],
  record: EvaluationRecord,
  path: string,
  checkpoint = checkpointOf(record.params),
): ReportItem {
  return {
    ...(checkpoint ? { checkpoint } : {}),
    source,
    method: record.method,
    params: record.params,
    testDomains: record.test_domains,
    val: record.val_acc ?? 0,
    iid: record.iid,
    ood: record.ood,
    oracle: oracleOf(record.accuracy, record.test_domains),
    path,
  };
}

async function averageItems(dir: string): Promise<ReportItem[]> {
  const json = await readJson<{
    checkpoint?: string;
    groups: { outputs: { path: string; evaluation: EvaluationRecord }[] }[];
  }>(`${dir}/average.json`);
  // Soups of last checkpoints do not record it in their params; average.json does.
  const checkpoint = checkpointOf({ checkpoint: json.checkpoint });
  return json.groups.flatMap((g) =>
    g.outputs.map((o) => recordItem("average", o.evaluation, `${dir}/${o.path}`, checkpoint))
  );
}

export async function writeReport(ctx: TaskContext<ReportParams>): Promise<void> {
  const p = ctx.params;
  const items = await readItems(p);
  checkLayoutFields(items, p);
  const layout: Layout = { rowsBy: p.rows_by, trialsBy: p.trials_by };
  const order = {
    rows: rowOrder(items, layout),
    columns: [...new Set(items.map(columnOf))].sort(),
  };
  const ood = domainbedTable(tableEntries(items, layout, "ood"), order);
  const oracle = domainbedTable(tableEntries(items, layout, "oracle"), order);
  const iid = domainbedTable(tableEntries(items, layout, "iid"), order);
  const infos = rowInfos(items, layout);
  const figure = methodsVsDropout(ood, infos, {
    file: "accuracy_vs_dropout.svg",
    title: "Test-domain accuracy against dropout rate, per method",
  });
  const plots = p.plots ? [...(figure ? [figure] : []), ...reportPlots(items, layout)] : [];
  for (const plot of plots) await Deno.writeTextFile(`${ctx.outDir}/${plot.file}`, plot.svg);
  const description = describeItems(items, order.columns, p.trials_by);
  const text = findings(ood, infos, items);
  await Deno.writeTextFile(
    `${ctx.outDir}/report.md`,
    reportMarkdown({ title: p.title, description, findings: text, ood, oracle, iid, plots }),
  );
  await Deno.writeTextFile(
    `${ctx.outDir}/report.tex`,
    latexTable(ood, `${p.title}: test-domain accuracy (%), training-domain validation`) + "\n" +
      latexTable(oracle, `${p.title}: test-domain accuracy (%), oracle selection`),
  );
  const json = {
    title: p.title,
    description,
    findings: text,
    layout,
    columns: order.columns,
    tables: { ood, oracle, iid },
    plots: plots.map((pl) => ({ file: pl.file, title: pl.title })),
    items: items.map(({ curve: _curve, ...rest }) => rest),
  };
  await Deno.writeTextFile(`${ctx.outDir}/report.json`, JSON.stringify(json, null, 2) + "\n");
  ctx.log.info(
    `Report of ${items.length} results in ${ood.rows.length} rows and ${order.columns.length} columns`,
  );
}

/** A misspelt `rows_by` or `trials_by` field would merge rows or trials without a word. */
function checkLayoutFields(items: ReportItem[], p: ReportParams): void {
  const params = items.map((i) => i.params);
  checkFields(params, p.rows_by, { option: "rows_by", optional: DEFAULT_ROWS_BY });
  checkFields(params, p.trials_by, { option: "trials_by", optional: DEFAULT_TRIALS_BY });
}

async function readItems(p: ReportParams): Promise<ReportItem[]> {
  const items: ReportItem[] = [];
  for (const dir of p.runs ?? []) items.push(await runItem(dir));
  for (const dir of p.linear_probe ?? []) items.push(await runItem(dir, "linear_probe"));
  for (const dir of p.averages ?? []) items.push(...await averageItems(dir));
  for (const dir of p.evaluations ?? []) {
    items.push(recordItem("evaluation", await readJson(`${dir}/evaluation.json`), dir));
  }
  return items;
}
