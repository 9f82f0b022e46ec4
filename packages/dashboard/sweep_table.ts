/**
 * Renders the sweep section of the run page: filters by stage and by every
 * matrix axis, a column chooser, the table (headings sort, values filter,
 * stage ids link to stage pages) and the metric-vs-axis chart. The view is
 * complete without script; `sweep.js` re-applies the same query in place.
 */
import type { SweepRow } from "@dropline/engine";
import { stageHref } from "./_format.ts";
import { escapeHtml, html, raw, type SafeHtml } from "./_html.ts";
import { type ChartChoice, renderSweepChart } from "./sweep_chart.ts";
import { type ChartQuery, FILTER_PREFIX, type SweepQuery, sweepSearch } from "./sweep_query.ts";
import type { SweepColumn, SweepView, SweepViewRow } from "./sweep_view.ts";

/** What the sweep section shows. */
export interface SweepSectionData {
  runId: string;
  view: SweepView;
  query: SweepQuery;
  chartQuery: ChartQuery;
  /** The chart drawn (null when no headline metric or axis to draw). */
  chart: ChartChoice | null;
  /** The rows the chart draws (those shown). */
  chartRows: SweepRow[];
  metrics: string[];
}

function select(
  name: string,
  label: string,
  options: Array<[string, string]>,
  current: string,
): SafeHtml {
  return html`<label>${label} <select data-param="${name}">${
    options.map(([value, text]) =>
      html`
        <option value="${value}" ${value === current ? " selected" : ""}>${text}</option>
      `
    )
  }</select></label>`;
}

function filters(data: SweepSectionData): SafeHtml {
  const { view, query } = data;
  const stage = select("stage", "Stage", [
    ["", `all (${view.rows.length})`],
    ...view.stages.map(({ name, count }): [string, string] => [name, `${name} (${count})`]),
  ], query.stage ?? "");
  const axes = view.axes.map((axis) =>
    select(`${FILTER_PREFIX}${axis.name}`, axis.name, [
      ["", "all"],
      ...axis.values.map((v): [string, string] => [v, v]),
    ], query.filters[axis.name] ?? "")
  );
  // One stage name needs no choice of stage.
  return html`<p class="controls sweep-filters">${view.stages.length > 1 ? stage : ""}${axes}</p>`;
}

function columnChooser(view: SweepView): SafeHtml {
  const boxes = view.columns.map((column) =>
    html`<label><input type="checkbox" data-column="${column.key}"${
      view.visible.has(column.key) ? " checked" : ""
    }> ${column.label} <span class="muted">${column.kind}</span></label>`
  );
  return html`
    <details class="columns">
      <summary>Columns</summary>
      <div>${boxes}</div>
    </details>
  `;
}

function heading(column: SweepColumn, data: SweepSectionData): SafeHtml {
  const sorted = data.query.sort === column.key;
  const descending = sorted ? !data.query.descending : column.kind === "metric";
  const href = sweepSearch({ ...data.query, sort: column.key, descending }, data.chartQuery);
  const aria = sorted ? (data.query.descending ? "descending" : "ascending") : null;
  return html`
    <th data-column="${column.key}" data-kind="${column.kind}" ${data.view.visible.has(column.key)
      ? ""
      : " hidden"}${aria
      ? html`
        aria-sort="${aria}"
      `
      : ""}
      data-numeric="${column.numeric ? "1" : "0"}" class="${alignRight(column)
        ? "num"
        : ""}"><a href="${href}#sweep">${column.label}</a></th>
  `;
}

/** Numbers line up on the right; the state column sorts by number but shows a badge. */
function alignRight(column: SweepColumn): boolean {
  return column.numeric && column.kind !== "state";
}

/**
 * One cell, kept small: a 1,000-row sweep is 1,000 of these per column.
 * `data-sort-value` only where it differs from the text (rounded metrics,
 * durations, states); matrix values filter on click (`sweep.js`).
 */
/** Right-aligned numbers; matrix values look clickable (they filter). */
function cellClass(column: SweepColumn): string {
  const names = [alignRight(column) ? "num" : "", column.kind === "matrix" ? "axis" : ""];
  const value = names.filter((n) => n !== "").join(" ");
  return value ? ` class="${value}"` : "";
}

function cell(column: SweepColumn, item: SweepViewRow, data: SweepSectionData): SafeHtml {
  const value = item.cells[column.key]!;
  const sort = value.sort === null ? "" : String(value.sort);
  const attributes = [
    sort !== value.text ? raw(` data-sort-value="${escapeHtml(sort)}"`) : "",
    raw(cellClass(column)),
    data.view.visible.has(column.key) ? "" : raw(" hidden"),
  ];
  const text = column.kind === "state"
    ? html`<span class="badge st-${value.text}">${value.text}</span>`
    : value.text;
  return html`<td${attributes}>${text}</td>`;
}

function row(item: SweepViewRow, data: SweepSectionData): SafeHtml {
  const { stage, name } = item.row;
  const hidden = item.shown ? "" : raw(" hidden");
  const link = html`<a href="${stageHref(data.runId, stage)}">${stage}</a>`;
  const cells = data.view.columns.map((column) => cell(column, item, data));
  // deno-fmt-ignore
  return html`<tr data-stage="${stage}" data-name="${name}" data-index="${item.index}"${hidden}><td>${link}</td>${cells}</tr>\n`;
}

function table(data: SweepSectionData): SafeHtml {
  const { view } = data;
  return html`
    <div class="table-wrap">
      <table class="sweep" id="sweep-table">
        <thead>
          <tr><th>Stage</th>${view.columns.map((column) => heading(column, data))}</tr>
        </thead>
        <tbody>${view.rows.map((item) => row(item, data))}</tbody>
      </table>
    </div>
  `;
}

function chartControls(data: SweepSectionData, choice: ChartChoice): SafeHtml {
  const axes = data.view.axes.map((a): [string, string] => [a.name, a.name]);
  return html`<p class="controls chart-controls">${
    select("metric", "Metric", data.metrics.map((m): [string, string] => [m, m]), choice.metric)
  }${select("x", "against", axes, choice.x)}${
    select("by", "a line per", [["", "(one line)"], ...axes], choice.by ?? "")
  }</p>`;
}

/**
 * The chart part alone: the run page embeds it, and `sweep.js` fetches it
 * again when filters change.
 *
 * @example
 * ```ts
 * renderChartBlock(data); // <div id="sweep-chart">...</div>
 * ```
 */
export function renderChartBlock(data: SweepSectionData): SafeHtml {
  if (!data.chart) {
    return html`
      <div id="sweep-chart">
        <p
          class="muted">No headline metric to chart: the tasks of these stages declare none, or no result is published yet.</p>
      </div>
    `;
  }
  return html`<div id="sweep-chart">${chartControls(data, data.chart)}${
    renderSweepChart(data.chartRows, data.view.axes, data.chart)
  }</div>`;
}

/**
 * The sweep section of the run page.
 *
 * @example
 * ```ts
 * renderSweepSection(data).toString().includes('id="sweep-table"'); // true
 * ```
 */
export function renderSweepSection(data: SweepSectionData): SafeHtml {
  const { view } = data;
  return html`<section id="sweep" data-run="${data.runId}">
<h2>Sweep</h2>
<p class="note">One row per stage expansion: matrix values, the parameters that vary and the headline metrics its task declares. Click a heading to sort, a matrix value to keep only its rows.</p>
${filters(data)}${columnChooser(view)}
<p class="muted" id="sweep-count"><b>${view.shownCount}</b> of ${view.rows.length} rows</p>
${table(data)}
<h3>Chart</h3>
${renderChartBlock(data)}
</section>`;
}
