/**
 * Renders the sweep section of the run page: filters by stage and by every
 * matrix axis, a column chooser, the table (headings sort, values filter,
 * stage ids link to stage pages) and the metric-vs-axis chart. The view is
 * complete without script; `sweep.js` re-applies the same query in place.
 */
import type { SweepRow } from "@dropline/engine";
import { stageHref } from "./_format.ts";
import { html, type SafeHtml } from "./_html.ts";
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
  return html`<p class="controls sweep-filters">${stage}${axes}</p>`;
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

function cell(column: SweepColumn, item: SweepViewRow, data: SweepSectionData): SafeHtml {
  const value = item.cells[column.key]!;
  const hidden = data.view.visible.has(column.key) ? "" : " hidden";
  const sort = value.sort === null ? "" : String(value.sort);
  if (column.kind === "matrix" && value.text !== "") {
    const axis = column.key.slice(2);
    const query = { ...data.query, filters: { ...data.query.filters, [axis]: value.text } };
    return html`
      <td data-column="${column.key}" data-sort-value="${sort}" class="${alignRight(column)
        ? "num"
        : ""}"
        ${hidden}><a class="filter" data-axis="${axis}" data-value="${value
          .text}" href="${sweepSearch(
            query,
            data.chartQuery,
          )}#sweep" title="Only rows with ${axis} ${value.text}">${value.text}</a></td>
    `;
  }
  if (column.kind === "state") {
    return html`
      <td data-column="state" data-sort-value="${sort}"
        ${hidden}><span class="badge st-${value.text}">${value.text}</span></td>
    `;
  }
  return html`
    <td data-column="${column.key}" data-sort-value="${sort}" ${hidden}${column.numeric
      ? html`
        class="num"
      `
      : ""}>${value.text}</td>
  `;
}

function table(data: SweepSectionData): SafeHtml {
  const { view } = data;
  const rows = view.rows.map((item) =>
    html`
      <tr data-stage="${item.row.stage}" data-name="${item.row.name}" data-index="${item.index}"
        ${item.shown ? "" : " hidden"}><td><a href="${stageHref(data.runId, item.row.stage)}">${item
          .row.stage}</a></td>${view.columns.map((column) => cell(column, item, data))}</tr>
    `
  );
  return html`
    <div class="table-wrap">
      <table class="sweep" id="sweep-table">
        <thead>
          <tr><th>Stage</th>${view.columns.map((column) => heading(column, data))}</tr>
        </thead>
        <tbody>${rows}</tbody>
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
<p class="note">One row per stage expansion: matrix values, the parameters that vary and the headline metrics its task declares. Click a heading to sort, a value to keep only its rows.</p>
${filters(data)}${columnChooser(view)}
<p class="muted" id="sweep-count"><b>${view.shownCount}</b> of ${view.rows.length} rows</p>
${table(data)}
<h3>Chart</h3>
${renderChartBlock(data)}
</section>`;
}
