/** `report.md`: the tables as Markdown, the plots, and the selected configurations. */
import { formatMeanStderr, type Table } from "@dropline/ml";
import type { Plot } from "./_report_plots.ts";

/** One Markdown table; `|` inside labels is escaped. */
export function markdownTable(table: Table): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const head = `| Method | ${table.columns.map(cell).join(" | ")} | Avg |`;
  const rule = `|${" --- |".repeat(table.columns.length + 2)}`;
  const body = table.rows.map((r) =>
    `| ${cell(r.label)} | ${
      table.columns.map((c) => formatMeanStderr(r.cells[c] ?? null)).join(" | ")
    } | ${formatMeanStderr(r.average)} |`
  );
  return [head, rule, ...body].join("\n");
}

export interface ReportDocument {
  title: string;
  description: string;
  findings: string;
  ood: Table;
  oracle: Table;
  iid: Table;
  plots: Plot[];
}

export function reportMarkdown(doc: ReportDocument): string {
  const [figure, ...rest] = doc.plots[0]?.file === "accuracy_vs_dropout.svg"
    ? doc.plots
    : [undefined, ...doc.plots];
  const lines = [`# ${doc.title}`, "", doc.description, "", "## Findings", "", doc.findings, ""];
  if (figure) lines.push(`![${figure.title}](${figure.file})`, "");
  lines.push(
    "## Test-domain (o.o.d.) accuracy, %",
    "",
    "Model selection: training-domain validation (configurations and checkpoints chosen on the " +
      "training domains' held-out 20%). Mean ± standard error over trials.",
    "",
    markdownTable(doc.ood),
    "",
    "## Test-domain accuracy with oracle selection, %",
    "",
    "DomainBed's oracle (test-domain validation): configurations chosen on the test domains' " +
      "held-out 20%, accuracy on their other 80%, a run's last checkpoint only. Averaged models " +
      "are those of the table above (made from the runs' selected checkpoints); only their " +
      "configuration is chosen here. An upper bound, not a usable selection rule.",
    "",
    markdownTable(doc.oracle),
    "",
    "## Training-domain validation (i.i.d.) accuracy, %",
    "",
    markdownTable(doc.iid),
    "",
  );
  if (rest.length) {
    lines.push("## Plots", "");
    for (const plot of rest) if (plot) lines.push(`![${plot.title}](${plot.file})`, "");
  }
  const choices = selectedConfigurations(doc.ood);
  if (choices.length) lines.push("## Selected configurations", "", ...choices, "");
  return lines.join("\n");
}

/** Per row and column, the configurations validation picked (only where there was a choice). */
function selectedConfigurations(table: Table): string[] {
  return table.rows.flatMap((row) =>
    table.columns.flatMap((column) => {
      const picks = Object.entries(row.selected[column] ?? {}).filter(([, config]) =>
        config !== "-"
      );
      if (picks.length === 0) return [];
      const text = picks.map(([trial, config]) => `${trial}: ${config}`).join("; ");
      return [`- ${row.label}, ${column}: ${text}`.replace(/\n/g, " ")];
    })
  );
}
