import type { RunRecord } from "@dropline/engine";
import { formatTime, runHref, stageHref } from "./_format.ts";
import { html, type SafeHtml } from "./_html.ts";
import { renderPage } from "./_page.ts";
import type { RunDiff } from "./run_diff.ts";
import { metricText } from "./sweep_view.ts";

/** What the compare page shows. */
export interface ComparePageData {
  a: RunRecord;
  b: RunRecord;
  diff: RunDiff;
}

/** At most this many stage links per parameter change; the rest are counted. */
const STAGES_LISTED = 8;

function runFacts(label: string, run: RunRecord): SafeHtml {
  return html`
    <dt>${label}</dt>
    <dd><a href="${runHref(run.id)}">${run.id}</a> ${run
      .pipeline} <span class="muted">started ${formatTime(run.startedAt)}, ${run.state}</span></dd>
  `;
}

function stageLinks(runId: string, stages: string[]): SafeHtml {
  const listed = stages.slice(0, STAGES_LISTED).map((id) =>
    html`
      <a href="${stageHref(runId, id)}">${id}</a>
    `
  );
  const more = stages.length - STAGES_LISTED;
  return html`${listed}${more > 0 ? html`<span class="muted">and ${more} more</span>` : ""}`;
}

function params(data: ComparePageData): SafeHtml {
  if (data.diff.params.length === 0) return html`<p class="muted">No parameter differs.</p>`;
  const rows = data.diff.params.map((change) =>
    html`
      <tr>
        <td><code>${change.param}</code></td>
        <td><code>${change.a || "-"}</code></td>
        <td><code>${change.b || "-"}</code></td>
        <td>${stageLinks(data.b.id, change.stages)}</td>
      </tr>
    `
  );
  return html`
    <table class="compare" id="param-diff">
      <thead>
        <tr>
          <th>Parameter</th>
          <th>A</th>
          <th>B</th>
          <th>Stages</th>
        </tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>
  `;
}

function delta(a: number | null, b: number | null): string {
  if (a === null || b === null) return "";
  const d = b - a;
  return `${d > 0 ? "+" : ""}${metricText(d)}`;
}

function metrics(data: ComparePageData): SafeHtml {
  if (data.diff.metrics.length === 0) {
    return html`<p class="muted">No headline metric differs.</p>`;
  }
  const rows = data.diff.metrics.map((change) =>
    html`
      <tr>
        <td><a href="${stageHref(data.b.id, change.stage)}">${change.stage}</a></td>
        <td>${change.metric}</td>
        <td class="num">${metricText(change.a)}</td>
        <td class="num">${metricText(change.b)}</td>
        <td class="num">${delta(change.a, change.b)}</td>
      </tr>
    `
  );
  return html`
    <table class="compare" id="metric-diff">
      <thead>
        <tr>
          <th>Stage</th>
          <th>Metric</th>
          <th class="num">A</th>
          <th class="num">B</th>
          <th class="num">B - A</th>
        </tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>
  `;
}

function reran(data: ComparePageData): SafeHtml {
  if (data.diff.reran.length === 0) {
    return html`<p class="muted">B re-ran no stage: it reused every result.</p>`;
  }
  const rows = data.diff.reran.map((stage) =>
    html`
      <tr>
        <td><a href="${stageHref(data.b.id, stage.stage)}">${stage.stage}</a></td>
        <td><span class="badge st-${stage.state}">${stage.state}</span></td>
        <td>${stage.reason}</td>
      </tr>
    `
  );
  return html`
    <table class="compare" id="reran">
      <thead>
        <tr>
          <th>Stage</th>
          <th>State</th>
          <th>Why</th>
        </tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>
  `;
}

function onlyIn(label: string, runId: string, stages: string[]): SafeHtml | "" {
  if (stages.length === 0) return "";
  return html`<p>Only in ${label}: ${stageLinks(runId, stages)}</p>`;
}

/**
 * The compare page of two runs: parameters and headline metrics that differ,
 * the stages B re-ran and why, stages only one run has.
 *
 * @example
 * ```ts
 * renderComparePage({ a, b, diff: diffRuns(rowsA, rowsB) });
 * ```
 */
export function renderComparePage(data: ComparePageData): SafeHtml {
  const { a, b, diff } = data;
  const body = html`<h1>Compare runs</h1>
<dl class="facts">${runFacts("A", a)}${runFacts("B", b)}<dt>Stages</dt><dd>${diff.common} in both${
    a.pipeline !== b.pipeline
      ? html`
        <span class="muted">(different pipelines)</span>
      `
      : ""
  }</dd></dl>
${onlyIn("A", a.id, diff.onlyA)}${onlyIn("B", b.id, diff.onlyB)}
<h2>Parameters that differ</h2>${params(data)}
<h2>Headline metrics that differ</h2>${metrics(data)}
<h2>Stages B re-ran</h2>${reran(data)}
<p><a href="/compare?a=${encodeURIComponent(b.id)}&amp;b=${
    encodeURIComponent(a.id)
  }">Swap A and B</a></p>`;
  return renderPage({
    title: `Compare ${a.id} and ${b.id}`,
    crumbs: [["Compare", null]],
    body,
  });
}
