/**
 * The report's SVG plots: o.o.d. accuracy against dropout rate (selected by
 * training-domain validation, mean ± standard error), i.i.d. against o.o.d.
 * per run, and training curves per dropout rate.
 */
import { domainbedTable, PALETTE, type PlotSeries, renderPlot } from "@dropline/ml";
import { columnOf, type Layout, type ReportItem, trialOf } from "./_report_items.ts";

export interface Plot {
  file: string;
  title: string;
  svg: string;
}

export function reportPlots(items: ReportItem[], layout: Layout): Plot[] {
  const runs = items.filter((i) => i.method === "finetune" && i.source === "run" && i.ood !== null);
  if (runs.length === 0) return [];
  return [oodVsDropout(runs, layout), iidVsOod(runs), ...trainingCurves(runs)].filter((
    p,
  ): p is Plot => p !== null);
}

const rateOf = (item: ReportItem) => Number(item.params.dropout ?? 0);
const pct = (v: number) => 100 * v;

function oodVsDropout(runs: ReportItem[], layout: Layout): Plot {
  const entries = runs.map((item) => ({
    row: String(rateOf(item)),
    column: columnOf(item),
    trial: trialOf(item, layout),
    // Everything but the rate (e.g. lr, schedules) is a configuration chosen by validation here.
    config: JSON.stringify({ ...item.params, seed: undefined, dropout: undefined }),
    val: item.val,
    test: item.ood!,
  }));
  const table = domainbedTable(entries);
  const series: PlotSeries[] = table.columns.map((column) => ({
    name: column,
    points: table.rows.flatMap((r) => {
      const cell = r.cells[column];
      return cell ? [{ x: Number(r.label), y: pct(cell.mean), err: pct(cell.stderr ?? 0) }] : [];
    }),
  }));
  if (table.columns.length > 1) {
    series.push({
      name: "average",
      style: "dashed",
      color: "#000",
      points: table.rows.flatMap((
        r,
      ) => (r.average
        ? [{ x: Number(r.label), y: pct(r.average.mean), err: pct(r.average.stderr ?? 0) }]
        : [])
      ),
    });
  }
  const title = "Test-domain accuracy against dropout rate";
  return {
    file: "ood_vs_dropout.svg",
    title,
    svg: renderPlot({ title, xLabel: "dropout rate p", yLabel: "o.o.d. accuracy (%)", series }),
  };
}

function byRate(runs: ReportItem[]): [number, ReportItem[]][] {
  const rates = [...new Set(runs.map(rateOf))].sort((a, b) => a - b);
  return rates.map((rate) => [rate, runs.filter((r) => rateOf(r) === rate)]);
}

function iidVsOod(runs: ReportItem[]): Plot {
  const series = byRate(runs).map(([rate, group], i) => ({
    name: `p=${rate}`,
    style: "scatter" as const,
    color: PALETTE[i % PALETTE.length]!,
    points: group.filter((r) => r.iid !== null).map((r) => ({ x: pct(r.iid!), y: pct(r.ood!) })),
  }));
  const title = "i.i.d. against o.o.d. accuracy per run";
  return {
    file: "iid_vs_ood.svg",
    title,
    svg: renderPlot({
      title,
      xLabel: "training-domain validation accuracy (%)",
      yLabel: "test-domain accuracy (%)",
      series,
    }),
  };
}

/** Mean of a metric per step over runs (steps every run has). */
function meanCurve(runs: ReportItem[], metric: string): { x: number; y: number }[] {
  const sums = new Map<number, number[]>();
  for (const run of runs) {
    for (const r of run.curve ?? []) {
      if (typeof r[metric] === "number") {
        (sums.get(r.step) ?? sums.set(r.step, []).get(r.step)!).push(r[metric]!);
      }
    }
  }
  return [...sums].filter(([, v]) => v.length === runs.length).map(([x, v]) => ({
    x,
    y: v.reduce((a, b) => a + b, 0) / v.length,
  }));
}

function trainingCurves(runs: ReportItem[]): (Plot | null)[] {
  if (!runs.some((r) => r.curve?.length)) return [null];
  const groups = byRate(runs);
  const accuracy: PlotSeries[] = groups.flatMap(([rate, group], i) => [
    {
      name: `p=${rate} val`,
      color: PALETTE[i % PALETTE.length]!,
      points: meanCurve(group, "val_acc").map((p) => ({ ...p, y: pct(p.y) })),
    },
    {
      name: `p=${rate} test`,
      style: "dashed" as const,
      color: PALETTE[i % PALETTE.length]!,
      points: meanCurve(group, "test_acc").map((p) => ({ ...p, y: pct(p.y) })),
    },
  ]).filter((s) => s.points.length);
  const loss: PlotSeries[] = groups.map(([rate, group], i) => ({
    name: `p=${rate}`,
    color: PALETTE[i % PALETTE.length]!,
    points: meanCurve(group, "loss"),
  })).filter((s) => s.points.length);
  const accTitle = "Accuracy during training (mean over runs)";
  const lossTitle = "Training loss (mean over runs)";
  return [
    {
      file: "training_accuracy.svg",
      title: accTitle,
      svg: renderPlot({
        title: accTitle,
        xLabel: "step",
        yLabel: "accuracy (%)",
        series: accuracy,
      }),
    },
    {
      file: "training_loss.svg",
      title: lossTitle,
      svg: renderPlot({ title: lossTitle, xLabel: "step", yLabel: "cross-entropy", series: loss }),
    },
  ];
}
