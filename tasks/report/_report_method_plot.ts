/**
 * The paper's figure: test-domain accuracy against the dropout rate, one line per method
 * (fine-tune, ensemble, uniform soup, greedy soup, WiSE-FT; the linear probe, which has no rate,
 * as a flat dashed line), mean ± standard error over trials. The rate axis is categorical so
 * 0.9 and 0.95 do not crowd its edge; series are nudged sideways so error bars stay apart.
 */
import { PALETTE, type PlotSeries, renderPlot, type Table } from "@dropline/ml";
import type { Plot } from "./_report_plots.ts";
import { headlineScope, ratesOf, type RowInfo, valueOf } from "./_report_rows.ts";

const METHODS: [string, string][] = [
  ["finetune", "Fine-tune"],
  ["ensemble", "Ensemble"],
  ["uniform_soup", "Uniform soup"],
  ["greedy_soup", "Greedy soup"],
  ["wise_ft", "WiSE-FT"],
];

export function methodsVsDropout(
  table: Table,
  infos: Map<string, RowInfo>,
  options: { file: string; title: string },
): Plot | null {
  const rates = [...new Set(METHODS.flatMap(([m]) => ratesOf(table, infos, m)))].sort((a, b) =>
    a - b
  );
  if (rates.length === 0) return null;
  const pct = (v: number) => 100 * v;
  const series: PlotSeries[] = METHODS.map(([method, name], k) => ({
    name,
    color: PALETTE[k]!,
    points: rates.flatMap((p, i) => {
      const v = valueOf(table, infos, method, p);
      const nudge = (k - (METHODS.length - 1) / 2) * 0.05;
      return v ? [{ x: i + nudge, y: pct(v.mean), err: pct(v.stderr ?? 0) }] : [];
    }),
  })).filter((s) => s.points.length);
  const probe = valueOf(table, infos, "linear_probe", null);
  if (probe) {
    series.push({
      name: "Linear probe",
      style: "dashed",
      color: "#000",
      points: [-0.4, rates.length - 0.6].map((x) => ({ x, y: pct(probe.mean) })),
    });
  }
  const title = `${options.title} (${headlineScope(table)})`;
  return {
    file: options.file,
    title,
    svg: renderPlot({
      title,
      xLabel: "dropout rate p on the representation",
      yLabel: "test-domain accuracy (%)",
      xCategories: rates.map(String),
      series,
      width: 720,
    }),
  };
}
