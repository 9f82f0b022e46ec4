/**
 * What the method-level views of a report (the accuracy-against-p figure, the findings) read
 * from a table: each row's method and dropout rate, and its headline value - the average over
 * test domains when there are several, else the one column.
 */
import type { MeanStderr, Table, TableRow } from "@dropline/ml";
import { type Layout, type ReportItem, rowLabel } from "./_report_items.ts";

/** A row's method and dropout rate (null for the linear probe, which has none). */
export interface RowInfo {
  /** `ensemble@initial` for a model scored at another checkpoint than the selected one. */
  method: string;
  p: number | null;
}

/** Row label to its method and dropout rate. */
export function rowInfos(items: ReportItem[], layout: Layout): Map<string, RowInfo> {
  return new Map(items.map((item) => [
    rowLabel(item, layout),
    {
      // Not the method's result: kept out of the figure and the findings, which look up methods.
      method: item.checkpoint ? `${item.method}@${item.checkpoint}` : item.method,
      p: item.method === "linear_probe" ? null : Number(item.params.dropout ?? 0),
    },
  ]));
}

/** The value a row is summarised by: the average column, or the only column. */
export function headline(table: Table, row: TableRow): MeanStderr | null {
  return table.columns.length > 1 ? row.average : row.cells[table.columns[0]!] ?? null;
}

/** What `headline` summarises, in words. */
export function headlineScope(table: Table): string {
  return table.columns.length > 1
    ? `average over test domains ${table.columns.join(", ")}`
    : `test domain ${table.columns[0] ?? "-"}`;
}

/** The headline value of `method` at rate `p` (any rate for the linear probe), if in the table. */
export function valueOf(
  table: Table,
  infos: Map<string, RowInfo>,
  method: string,
  p: number | null,
): MeanStderr | null {
  const row = table.rows.find((r) => {
    const info = infos.get(r.label);
    return info?.method === method && (p === null || info.p === p);
  });
  return row ? headline(table, row) : null;
}

/** Dropout rates present among a method's rows, ascending. */
export function ratesOf(table: Table, infos: Map<string, RowInfo>, method: string): number[] {
  const rates = table.rows.map((r) => infos.get(r.label)).filter((i) => i?.method === method)
    .map((i) => i!.p!);
  return [...new Set(rates)].sort((a, b) => a - b);
}
