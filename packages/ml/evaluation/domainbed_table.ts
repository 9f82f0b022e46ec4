/**
 * DomainBed-style result tables: rows are methods, columns are test domains
 * plus their average. For each (row, column, trial) the configuration with
 * the best training-domain validation score is selected and its test accuracy
 * kept; cells are mean ± standard error over trials.
 *
 * @example
 * ```ts
 * const table = domainbedTable([
 *   { row: "ERM", column: "S", trial: "0", config: "lr=1e-3", val: 0.9, test: 0.7 },
 *   { row: "ERM", column: "S", trial: "0", config: "lr=1e-4", val: 0.8, test: 0.8 },
 * ]);
 * table.rows[0].cells.S; // { mean: 0.7, stderr: null, n: 1 } - chosen by validation, not by test
 * ```
 */
import { type MeanStderr, meanStderr } from "./mean_stderr.ts";
import { selectBest } from "./select_best.ts";

export interface TableEntry {
  row: string;
  column: string;
  /** Trials (seeds) are averaged; configurations within a trial are selected among. */
  trial: string;
  config: string;
  val: number;
  test: number;
}

export interface TableRow {
  label: string;
  cells: Record<string, MeanStderr | null>;
  average: MeanStderr | null;
  /** The configuration selected for each column and trial. */
  selected: Record<string, Record<string, string>>;
}

export interface Table {
  columns: string[];
  rows: TableRow[];
}

export function domainbedTable(
  entries: readonly TableEntry[],
  order: { rows?: string[]; columns?: string[] } = {},
): Table {
  const columns = order.columns ?? unique(entries.map((e) => e.column)).sort();
  const rowLabels = order.rows ?? unique(entries.map((e) => e.row));
  const rows = rowLabels.map((label) => {
    const mine = entries.filter((e) => e.row === label);
    const perTrial: Record<string, Record<string, number>> = {}; // column -> trial -> test
    const selected: Record<string, Record<string, string>> = {};
    for (const column of columns) {
      for (const trial of unique(mine.filter((e) => e.column === column).map((e) => e.trial))) {
        const candidates = mine.filter((e) => e.column === column && e.trial === trial);
        const best = candidates[selectBest(candidates, (e) => e.val)]!;
        (perTrial[column] ??= {})[trial] = best.test;
        (selected[column] ??= {})[trial] = best.config;
      }
    }
    const cells = Object.fromEntries(columns.map((c) => {
      const tests = Object.values(perTrial[c] ?? {});
      return [c, tests.length ? meanStderr(tests) : null];
    }));
    return { label, cells, average: averageColumn(columns, cells, perTrial), selected };
  });
  return { columns, rows };
}

/**
 * The average over test domains: mean ± standard error of per-trial averages
 * when every column has the same trials; otherwise the mean of the column
 * means, without an error bar; nothing when a column is missing.
 */
function averageColumn(
  columns: string[],
  cells: Record<string, MeanStderr | null>,
  perTrial: Record<string, Record<string, number>>,
): MeanStderr | null {
  if (columns.length === 0 || columns.some((c) => !cells[c])) return null;
  const trials = Object.keys(perTrial[columns[0]!]!).sort();
  const sameTrials = columns.every((c) =>
    Object.keys(perTrial[c]!).sort().join("\n") === trials.join("\n")
  );
  if (sameTrials) {
    return meanStderr(
      trials.map((t) => columns.reduce((sum, c) => sum + perTrial[c]![t]!, 0) / columns.length),
    );
  }
  return {
    mean: columns.reduce((sum, c) => sum + cells[c]!.mean, 0) / columns.length,
    stderr: null,
    n: 1,
  };
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
