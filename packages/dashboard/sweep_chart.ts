/**
 * A headline metric against a matrix axis, one line per value of another
 * axis (test accuracy vs dropout, a line per method): the mean over the
 * remaining axes (seeds) with every run's value as a dot. Drawn on the server
 * as inline SVG, like the DAG, so it needs no script.
 */
import type { SweepRow } from "@dropline/engine";
import { html, type SafeHtml } from "./_html.ts";
import { HttpError } from "./http_error.ts";
import { niceTicks, tickLabels } from "./static/ticks.js";
import type { ChartQuery } from "./sweep_query.ts";
import { type SweepAxis, valueText } from "./sweep_view.ts";

/** What is drawn: resolved from a query, defaults filled in. */
export interface ChartChoice {
  metric: string;
  x: string;
  /** One line per value of this axis; null for a single line. */
  by: string | null;
}

/** One line: a point per x value with the mean and every value. */
export interface ChartLine {
  label: string;
  points: Array<{ x: string; mean: number; values: number[] }>;
}

const WIDTH = 640;
const HEIGHT = 300;
const MARGIN = { left: 56, right: 150, top: 16, bottom: 44 };
const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777"];

function unknown(what: string, name: string, known: string[]): never {
  throw new HttpError(400, `Unknown ${what} "${name}"; known: ${known.join(", ") || "none"}`);
}

/**
 * The chart a query asks for, with defaults: the first headline metric, the
 * first numeric axis with several values, lines by the first other axis whose
 * values are names (a method, not a seed). Null when nothing can be drawn.
 *
 * @example
 * ```ts
 * chooseChart(["test_acc"], axes, { metric: null, x: null, by: null });
 * // { metric: "test_acc", x: "dropout", by: "method" }
 * ```
 */
export function chooseChart(
  metrics: string[],
  axes: SweepAxis[],
  query: ChartQuery,
): ChartChoice | null {
  const names = axes.map((a) => a.name);
  if (query.metric && !metrics.includes(query.metric)) unknown("metric", query.metric, metrics);
  if (query.x && !names.includes(query.x)) unknown("axis", query.x, names);
  if (query.by && !names.includes(query.by)) unknown("axis", query.by, names);
  const varying = axes.filter((a) => a.values.length > 1);
  const metric = query.metric ?? metrics[0];
  const x = query.x ?? (varying.find((a) => a.numeric) ?? varying[0])?.name;
  if (!metric || !x) return null;
  const by = query.by !== null
    ? (query.by === "" || query.by === x ? null : query.by)
    : varying.find((a) => a.name !== x && !a.numeric && a.values.length <= COLORS.length)?.name ??
      null;
  return { metric, x, by };
}

/**
 * The lines of a chart: rows grouped by the `by` value, then by the x value.
 *
 * @example
 * ```ts
 * chartLines(rows, { metric: "test_acc", x: "dropout", by: "method" });
 * ```
 */
export function chartLines(rows: readonly SweepRow[], choice: ChartChoice): ChartLine[] {
  const lines = new Map<string, Map<string, number[]>>();
  for (const row of rows) {
    const value = row.metrics[choice.metric];
    const x = row.matrix[choice.x];
    if (typeof value !== "number" || x === undefined) continue;
    const label = choice.by ? `${choice.by}=${valueText(row.matrix[choice.by])}` : choice.metric;
    const points = lines.get(label) ?? new Map<string, number[]>();
    lines.set(label, points);
    const key = valueText(x);
    points.set(key, [...(points.get(key) ?? []), value]);
  }
  return [...lines].map(([label, points]) => ({
    label,
    points: [...points].map(([x, values]) => ({
      x,
      values,
      mean: values.reduce((a, b) => a + b, 0) / values.length,
    })),
  }));
}

/** Where each x value goes: by value on a numeric axis, evenly spaced otherwise. */
function xScale(axis: SweepAxis, lines: ChartLine[]) {
  const plot = WIDTH - MARGIN.left - MARGIN.right;
  const present = axis.values.filter((v) => lines.some((l) => l.points.some((p) => p.x === v)));
  if (axis.numeric) {
    const numbers = present.map(Number);
    const ticks = niceTicks(Math.min(...numbers), Math.max(...numbers), 6);
    const lo = Math.min(ticks.values[0] ?? 0, ...numbers);
    const hi = Math.max(ticks.values.at(-1) ?? 1, ...numbers);
    const at = (v: string) => MARGIN.left + ((Number(v) - lo) / (hi - lo || 1)) * plot;
    const labels = tickLabels(ticks.values, ticks.step);
    return { at, ticks: ticks.values.map((v, i) => ({ x: at(String(v)), label: labels[i]! })) };
  }
  const step = plot / Math.max(present.length, 1);
  const at = (v: string) => MARGIN.left + step * (present.indexOf(v) + 0.5);
  return { at, ticks: present.map((v) => ({ x: at(v), label: v })) };
}

function yScale(lines: ChartLine[]) {
  const values = lines.flatMap((l) => l.points.flatMap((p) => p.values));
  const ticks = niceTicks(Math.min(...values), Math.max(...values), 5);
  const lo = Math.min(ticks.values[0] ?? 0, ...values);
  const hi = Math.max(ticks.values.at(-1) ?? 1, ...values);
  const bottom = HEIGHT - MARGIN.bottom;
  const at = (v: number) => bottom - ((v - lo) / (hi - lo || 1)) * (bottom - MARGIN.top);
  const labels = tickLabels(ticks.values, ticks.step);
  return { at, ticks: ticks.values.map((v, i) => ({ y: at(v), label: labels[i]! })) };
}

function line(
  lineData: ChartLine,
  color: string,
  x: (v: string) => number,
  y: (v: number) => number,
) {
  const sorted = lineData.points.map((p) => ({ ...p, px: x(p.x) })).sort((a, b) => a.px - b.px);
  const path = sorted.map((p, i) => `${i ? "L" : "M"}${p.px.toFixed(1)},${y(p.mean).toFixed(1)}`);
  const dots = sorted.map((p) =>
    html`
      <g
        class="point"><title>${lineData.label}, ${p.x}: mean ${p.mean.toPrecision(4)} of ${p.values
          .length} (${p.values.map((v) => v.toPrecision(4)).join(", ")})</title>${p.values.map((
            v,
          ) =>
            html`
              <circle class="value" cx="${p.px.toFixed(1)}" cy="${y(v).toFixed(
                1,
              )}" r="2.5" fill="${color}" />
            `
          )}<circle class="mean" cx="${p.px.toFixed(1)}" cy="${y(p.mean).toFixed(
            1,
          )}" r="4" fill="${color}"/></g>
    `
  );
  return html`
    <g class="line"
      data-line="${lineData.label}"><path d="${path.join(
        " ",
      )}" stroke="${color}" fill="none" stroke-width="2"/>${dots}</g>
  `;
}

/**
 * Draws the chart as inline SVG (an empty-state note when no row has the metric).
 *
 * @example
 * ```ts
 * renderSweepChart(rows, axes, { metric: "test_acc", x: "dropout", by: "method" });
 * ```
 */
export function renderSweepChart(
  rows: readonly SweepRow[],
  axes: SweepAxis[],
  choice: ChartChoice,
): SafeHtml {
  const lines = chartLines(rows, choice);
  const axis = axes.find((a) => a.name === choice.x);
  if (!axis || lines.length === 0) {
    return html`<p class="muted">No row shown has a value of ${choice.metric} yet.</p>`;
  }
  const x = xScale(axis, lines);
  const y = yScale(lines);
  const bottom = HEIGHT - MARGIN.bottom;
  const right = WIDTH - MARGIN.right;
  const legend = lines.map((l, i) =>
    html`
      <g transform="translate(${right + 16},${MARGIN.top + 8 + i * 18})">
        <rect width="12" height="3" y="-4" fill="${COLORS[i % COLORS.length]}" />
        <text x="18" y="0">${l.label}</text>
      </g>
    `
  );
  return html`<svg class="sweep-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}"
  width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${choice.metric} against ${choice.x}">
<g class="grid">${
    y.ticks.map((t) =>
      html`
        <line x1="${MARGIN.left}" x2="${right}" y1="${t.y.toFixed(1)}" y2="${t.y.toFixed(1)}" />
        <text class="tick" x="${MARGIN.left - 6}" y="${(t.y + 4).toFixed(1)}" text-anchor="end">${t
          .label}</text>
      `
    )
  }${
    x.ticks.map((t) =>
      html`<text class="tick" x="${t.x.toFixed(1)}" y="${
        bottom + 16
      }" text-anchor="middle">${t.label}</text>`
    )
  }</g>
<line class="axis" x1="${MARGIN.left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>
<text class="axis-label" x="${(MARGIN.left + right) / 2}" y="${
    HEIGHT - 6
  }" text-anchor="middle">${choice.x}</text>
<text class="axis-label" x="12" y="${MARGIN.top + (bottom - MARGIN.top) / 2}" text-anchor="middle"
  transform="rotate(-90 12 ${MARGIN.top + (bottom - MARGIN.top) / 2})">${choice.metric}</text>
${lines.map((l, i) => line(l, COLORS[i % COLORS.length]!, x.at, y.at))}
<g class="legend">${legend}</g>
</svg>`;
}
