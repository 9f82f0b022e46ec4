import { runHref, stageHref } from "./_format.ts";
import { html, type SafeHtml } from "./_html.ts";
import { renderPage } from "./_page.ts";

/** What the report page shows. */
export interface ReportPageData {
  runId: string;
  stageId: string;
  /** report.md rendered by `renderMarkdown`. */
  markdown: SafeHtml;
  /** SVG plots of the report not already embedded by the markdown. */
  plots: Array<{ name: string; href: string }>;
}

/**
 * A report stage's `report.md` rendered, followed by its SVG plots.
 *
 * @example
 * ```ts
 * renderReportPage({ runId: "r1", stageId: "report", markdown: raw("<h1>x</h1>"), plots: [] });
 * ```
 */
export function renderReportPage(data: ReportPageData): SafeHtml {
  const plots = data.plots.map((plot) =>
    html`<figure><img src="${plot.href}" alt="${plot.name}"><figcaption>${plot.name}</figcaption></figure>`
  );
  const body = html`<article class="report">${data.markdown}</article>${
    plots.length
      ? html`
        <h2>Plots</h2>
        <div class="plots">${plots}</div>
      `
      : ""
  }`;
  return renderPage({
    title: `Report ${data.stageId}`,
    crumbs: [
      [data.runId, runHref(data.runId)],
      [data.stageId, stageHref(data.runId, data.stageId)],
      ["report", null],
    ],
    body,
  });
}
