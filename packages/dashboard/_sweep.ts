/**
 * Loading the sweep section of a run: rows from the engine's sweep reader,
 * the table's and the chart's view from the URL query.
 */
import { readSweep, type StageBrief, type StageRecord, type SweepRow } from "@dropline/engine";
import { formatDuration } from "@dropline/format";
import type { DashboardContext } from "./_context.ts";
import { chooseChart } from "./sweep_chart.ts";
import { parseChartQuery, parseSweepQuery } from "./sweep_query.ts";
import type { SweepSectionData } from "./sweep_table.ts";
import { sweepView } from "./sweep_view.ts";

/**
 * Rows worth comparing: matrix expansions and stages whose task declares
 * headline metrics. The other stages are left out before reading, so a run
 * with no sweep costs one stage list, not a row read per stage.
 */
export async function loadSweepRows(
  ctx: DashboardContext,
  runId: string,
  stages: StageBrief[] = ctx.journal.listStages(runId),
): Promise<SweepRow[]> {
  const names = new Set(
    stages
      // An expansion's id is its stage name with the matrix values: `train[seed=0]`.
      .filter((s) => s.id !== s.name || ctx.tasks.get(s.task)?.headline !== undefined)
      .map((s) => s.name),
  );
  if (names.size === 0) return [];
  return await readSweep(ctx.journal, runId, { tasks: ctx.tasks, stages: [...names] });
}

/** The sweep section of a run page for a query; null when the run has no such rows. */
export async function loadSweepSection(
  ctx: DashboardContext,
  runId: string,
  search: URLSearchParams,
  stages?: StageBrief[],
): Promise<SweepSectionData | null> {
  const rows = await loadSweepRows(ctx, runId, stages);
  if (rows.length === 0) return null;
  const query = parseSweepQuery(search);
  const chartQuery = parseChartQuery(search);
  const view = sweepView(rows, query, formatDuration);
  const metrics = view.columns.filter((c) => c.kind === "metric").map((c) => c.key.slice(2));
  const shown = new Set(view.rows.filter((r) => r.shown).map((r) => r.index));
  return {
    runId,
    view,
    query,
    chartQuery,
    chart: chooseChart(metrics, view.axes, chartQuery),
    // In the run's order, not the table's: sorting the table must not recolour the lines.
    chartRows: rows.filter((_, i) => shown.has(i)),
    metrics,
  };
}

/**
 * A published stage's headline metrics as its task declares them (null when
 * the task declares none or the file cannot be read): the stage page's result.
 */
export async function loadHeadline(
  ctx: DashboardContext,
  stage: StageRecord,
): Promise<Record<string, number | null> | null> {
  const headline = ctx.tasks.get(stage.task)?.headline;
  if (!headline || !stage.outPath) return null;
  try {
    return headline.read(JSON.parse(await Deno.readTextFile(`${stage.outPath}/${headline.file}`)));
  } catch {
    // Not published yet, or damaged: the output files list shows what is there.
    return null;
  }
}
