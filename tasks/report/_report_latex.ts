/** `report.tex`: a table as a LaTeX `tabular` (booktabs rules), mean ± standard error in %. */
import type { MeanStderr, Table } from "@dropline/ml";

const escapeTex = (text: string) => text.replace(/([\\{}&%$#_^~])/g, "\\$1");

const cell = (v: MeanStderr | null) =>
  !v
    ? "--"
    : v.stderr === null
    ? (100 * v.mean).toFixed(1)
    : `${(100 * v.mean).toFixed(1)} $\\pm$ ${(100 * v.stderr).toFixed(1)}`;

/**
 * The table as a standalone `table` environment for a paper (needs `\usepackage{booktabs}`).
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("report.tex", latexTable(table, "Test-domain accuracy"));
 * ```
 */
export function latexTable(table: Table, caption: string): string {
  const columns = [...table.columns.map(escapeTex), "Avg"];
  const lines = [
    "\\begin{table}[t]",
    "\\centering",
    `\\caption{${escapeTex(caption)}}`,
    `\\begin{tabular}{l${"c".repeat(columns.length)}}`,
    "\\toprule",
    `Method & ${columns.join(" & ")} \\\\`,
    "\\midrule",
    ...table.rows.map((r) =>
      `${escapeTex(r.label)} & ${
        [...table.columns.map((c) => cell(r.cells[c] ?? null)), cell(r.average)].join(" & ")
      } \\\\`
    ),
    "\\bottomrule",
    "\\end{tabular}",
    "\\end{table}",
  ];
  return lines.join("\n") + "\n";
}
