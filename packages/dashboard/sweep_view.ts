/**
 * The sweep table as data: columns (matrix axes, the params that vary, the
 * headline metrics, state, duration) and rows filtered and sorted by a
 * {@linkcode SweepQuery}. Pure; `sweep_table.ts` renders it and the page's
 * script re-applies the same rules in the browser.
 */
import { didYouMean, flattenParams, type SweepRow, varyingParams } from "@dropline/engine";
import { STATE_ORDER } from "./_format.ts";
import { HttpError } from "./http_error.ts";
import type { SweepQuery } from "./sweep_query.ts";

/** A column: `m:<axis>`, `p:<param>`, `h:<metric>`, `state` or `duration`. */
export interface SweepColumn {
  key: string;
  label: string;
  kind: "matrix" | "param" | "metric" | "state" | "duration";
  /** Sorted as numbers (every known value is one). */
  numeric: boolean;
}

/** A cell: the text shown and the value sorted by (null sorts last). */
export interface SweepCell {
  text: string;
  sort: number | string | null;
}

/** A row with its cells by column key; `shown` is false when a filter hides it. */
export interface SweepViewRow {
  row: SweepRow;
  /** Position in the run's (topological) order. */
  index: number;
  cells: Record<string, SweepCell>;
  shown: boolean;
}

/** A matrix axis and its distinct values (as displayed), in first-seen order. */
export interface SweepAxis {
  name: string;
  values: string[];
  numeric: boolean;
}

/** What the table shows. */
export interface SweepView {
  columns: SweepColumn[];
  /** Keys of the columns shown. */
  visible: Set<string>;
  rows: SweepViewRow[];
  axes: SweepAxis[];
  /** YAML stage names with their number of rows. */
  stages: Array<{ name: string; count: number }>;
  shownCount: number;
}

/** A matrix or param value as displayed (and as filters name it). */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? "";
}

/** A headline metric as displayed: four significant digits. */
export function metricText(value: number | null | undefined): string {
  if (value === null || value === undefined) return "";
  return Math.abs(value) >= 1e4 ? value.toFixed(0) : String(Number(value.toPrecision(4)));
}

function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** Matrix axes of the rows, in first-seen order. */
export function sweepAxes(rows: readonly SweepRow[]): SweepAxis[] {
  const names = unique(rows.flatMap((row) => Object.keys(row.matrix)));
  return names.map((name) => {
    const raw = rows.map((row) => row.matrix[name]).filter((v) => v !== undefined);
    return {
      name,
      values: unique(raw.map(valueText)),
      numeric: raw.length > 0 && raw.every((v) => typeof v === "number"),
    };
  });
}

function paramColumns(rows: readonly SweepRow[]): string[] {
  const byStage = new Map<string, SweepRow[]>();
  for (const row of rows) byStage.set(row.name, [...(byStage.get(row.name) ?? []), row]);
  return unique([...byStage.values()].flatMap((members) => varyingParams(members)));
}

function columnsOf(rows: readonly SweepRow[], axes: SweepAxis[]): SweepColumn[] {
  const metrics = unique(rows.flatMap((row) => Object.keys(row.metrics)));
  const params = paramColumns(rows);
  const flat = rows.map((row) => flattenParams(row.params));
  return [
    ...axes.map((axis) => ({
      key: `m:${axis.name}`,
      label: axis.name,
      kind: "matrix" as const,
      numeric: axis.numeric,
    })),
    ...params.map((name) => ({
      key: `p:${name}`,
      label: name,
      kind: "param" as const,
      numeric: flat.every((p) => p[name] === undefined || typeof p[name] === "number"),
    })),
    ...metrics.map((name) => ({
      key: `h:${name}`,
      label: name,
      kind: "metric" as const,
      numeric: true,
    })),
    { key: "state", label: "state", kind: "state", numeric: true },
    { key: "duration", label: "duration", kind: "duration", numeric: true },
  ];
}

function cellsOf(
  row: SweepRow,
  columns: SweepColumn[],
  formatDuration: (ms: number | null) => string,
) {
  const params = flattenParams(row.params);
  const cells: Record<string, SweepCell> = {};
  for (const column of columns) {
    const name = column.key.slice(2);
    if (column.kind === "matrix" || column.kind === "param") {
      const value = column.kind === "matrix" ? row.matrix[name] : params[name];
      const text = valueText(value);
      cells[column.key] = {
        text,
        sort: text === "" ? null : column.numeric ? Number(value) : text,
      };
    } else if (column.kind === "metric") {
      const value = row.metrics[name] ?? null;
      cells[column.key] = { text: metricText(value), sort: value };
    } else if (column.kind === "state") {
      cells.state = { text: row.state, sort: STATE_ORDER.indexOf(row.state) };
    } else {
      cells.duration = { text: formatDuration(row.durationMs), sort: row.durationMs };
    }
  }
  return cells;
}

/** Nulls last whichever the direction; numbers as numbers, text by locale. */
export function compareCells(a: SweepCell, b: SweepCell, descending: boolean): number {
  if (a.sort === null || b.sort === null) {
    return a.sort === b.sort ? 0 : a.sort === null ? 1 : -1;
  }
  const order = typeof a.sort === "number" && typeof b.sort === "number"
    ? a.sort - b.sort
    : String(a.sort).localeCompare(String(b.sort), undefined, { numeric: true });
  return descending ? -order : order;
}

function check(name: string, known: string[], what: string): void {
  if (known.includes(name)) return;
  throw new HttpError(
    400,
    `Unknown ${what} "${name}"${didYouMean(name, known)}; known: ${known.join(", ") || "none"}`,
  );
}

/**
 * Builds the table of `rows` for a query; an unknown stage, axis or column is
 * a 400 that lists the known ones.
 *
 * @example
 * ```ts
 * const view = sweepView(rows, parseSweepQuery(url.searchParams), formatDuration);
 * view.rows.filter((r) => r.shown).map((r) => r.row.stage);
 * ```
 */
export function sweepView(
  rows: readonly SweepRow[],
  query: SweepQuery,
  formatDuration: (ms: number | null) => string,
): SweepView {
  const stages = unique(rows.map((row) => row.name)).map((name) => ({
    name,
    count: rows.filter((row) => row.name === name).length,
  }));
  if (query.stage) check(query.stage, stages.map((s) => s.name), "stage");
  const axes = sweepAxes(rows);
  for (const axis of Object.keys(query.filters)) check(axis, axes.map((a) => a.name), "axis");
  const columns = columnsOf(rows, axes);
  const keys = columns.map((column) => column.key);
  if (query.sort) check(query.sort, keys, "column");
  for (const key of query.columns ?? []) check(key, keys, "column");
  const viewRows = rows.map((row, index) => {
    const cells = cellsOf(row, columns, formatDuration);
    const shown = (!query.stage || row.name === query.stage) &&
      Object.entries(query.filters).every(([axis, value]) => cells[`m:${axis}`]?.text === value);
    return { row, index, cells, shown };
  });
  const sort = query.sort;
  if (sort) {
    viewRows.sort((a, b) => compareCells(a.cells[sort]!, b.cells[sort]!, query.descending));
  }
  return {
    columns,
    visible: new Set(query.columns ?? keys),
    rows: viewRows,
    axes,
    stages,
    shownCount: viewRows.filter((r) => r.shown).length,
  };
}
