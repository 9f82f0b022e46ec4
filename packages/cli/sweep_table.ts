/**
 * How `deno task exp` lays out sweep rows: the columns (matrix axes, the
 * params that vary, headline metrics), then text tables per YAML stage, CSV
 * or JSON. Pure functions: the command only prints what they return.
 */
import { flattenParams, type RunRecord, type SweepRow, varyingParams } from "@dropline/engine";
import { formatDuration } from "@dropline/format";

/** The columns a set of rows is shown with, by kind, in first-seen order. */
export interface SweepColumns {
  matrix: string[];
  params: string[];
  metrics: string[];
}

/**
 * The columns of rows: every matrix axis and metric, and the params that
 * vary within a YAML stage (see `varyingParams`).
 *
 * @example
 * ```ts
 * sweepColumns(rows); // { matrix: ["dropout", "seed"], params: ["lr"], metrics: ["test_acc"] }
 * ```
 */
export function sweepColumns(rows: readonly SweepRow[]): SweepColumns {
  const matrix = new Set<string>();
  const metrics = new Set<string>();
  const params = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row.matrix)) matrix.add(key);
    for (const key of Object.keys(row.metrics)) metrics.add(key);
  }
  for (const group of groupByStage(rows).values()) {
    for (const key of varyingParams(group)) params.add(key);
  }
  return { matrix: [...matrix], params: [...params], metrics: [...metrics] };
}

/** Rows by YAML stage name, in the order the stages first appear. */
export function groupByStage(rows: readonly SweepRow[]): Map<string, SweepRow[]> {
  const groups = new Map<string, SweepRow[]>();
  for (const row of rows) groups.set(row.name, [...groups.get(row.name) ?? [], row]);
  return groups;
}

/** What `exp --json` prints: the run, the columns and the rows. */
export interface SweepJson {
  run: Pick<RunRecord, "id" | "pipeline" | "state" | "startedAt" | "endedAt" | "argv">;
  columns: SweepColumns;
  rows: SweepRow[];
}

/** The `--json` document. */
export function sweepJson(run: RunRecord, rows: SweepRow[]): SweepJson {
  const { id, pipeline, state, startedAt, endedAt, argv } = run;
  return {
    run: { id, pipeline, state, startedAt, endedAt, argv },
    columns: sweepColumns(rows),
    rows,
  };
}

/**
 * The `--csv` text (RFC 4180 quoting, `\n` line ends): one line per row, columns `id, stage, task,
 * state, duration_ms`, then matrix axes, varying params and metrics.
 */
export function sweepCsv(rows: readonly SweepRow[]): string {
  const columns = sweepColumns(rows);
  const header = [
    "id",
    "stage",
    "task",
    "state",
    "duration_ms",
    ...columns.matrix,
    ...columns.params,
    ...columns.metrics,
  ];
  const lines = [header.map(csvField).join(",")];
  for (const row of rows) {
    const params = flattenParams(row.params);
    const cells = [
      row.stage,
      row.name,
      row.task,
      row.state,
      row.durationMs ?? "",
      ...columns.matrix.map((k) => row.matrix[k] ?? ""),
      ...columns.params.map((k) => params[k] ?? ""),
      ...columns.metrics.map((k) => row.metrics[k] ?? ""),
    ];
    lines.push(cells.map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}

/**
 * Text tables, one per YAML stage, each with its own columns; metrics with
 * four decimals, missing values as `-`.
 */
export function sweepText(rows: readonly SweepRow[]): string {
  const blocks: string[] = [];
  for (const [name, group] of groupByStage(rows)) {
    const columns = sweepColumns(group);
    const header = [...columns.matrix, ...columns.params, ...columns.metrics, "state", "time"];
    const body = group.map((row) => {
      const params = flattenParams(row.params);
      return [
        ...columns.matrix.map((k) => cellText(row.matrix[k])),
        ...columns.params.map((k) => cellText(params[k])),
        ...columns.metrics.map((k) => metricText(row.metrics[k])),
        row.state,
        row.durationMs === null ? "-" : formatDuration(row.durationMs),
      ];
    });
    const numeric = header.map((_, i) => body.every((cells) => /^[-+\d.e]+$/.test(cells[i]!)));
    blocks.push(
      `${name} (${plural(group.length, "row")})\n${alignColumns([header, ...body], numeric)}`,
    );
  }
  return blocks.join("\n\n") + "\n";
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function alignColumns(
  lines: readonly string[][],
  rightAligned: readonly boolean[] = [],
): string {
  const widths: number[] = [];
  for (const cells of lines) {
    cells.forEach((cell, i) => widths[i] = Math.max(widths[i] ?? 0, [...cell].length));
  }
  return lines.map((cells) =>
    cells.map((cell, i) => {
      const pad = " ".repeat(widths[i]! - [...cell].length);
      return rightAligned[i] ? pad + cell : cell + pad;
    }).join("  ").trimEnd()
  ).join("\n");
}

/** A cell as text: strings as they are, everything else as JSON; missing as `-`. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null || value === "") return "-";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A metric with four decimals, `-` when missing. */
export function metricText(value: number | null | undefined): string {
  return value === null || value === undefined ? "-" : value.toFixed(4);
}

/** A CSV field: missing as empty, numbers at full precision, quoted when needed. */
function csvField(cell: unknown): string {
  const value = cell === undefined || cell === null
    ? ""
    : typeof cell === "string"
    ? cell
    : JSON.stringify(cell);
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
