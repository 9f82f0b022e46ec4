import type { RunRecord, StageBrief, StageState, StateCounts } from "@dropline/engine";
import { formatDuration } from "@dropline/format";
import { elapsed, formatTime, runHref, runStateLabel, stageHref, STATE_ORDER } from "./_format.ts";
import { html, type SafeHtml } from "./_html.ts";
import { renderPage } from "./_page.ts";
import { layoutDag } from "./dag_layout.ts";
import { buildDagModel } from "./dag_model.ts";
import { renderDagSvg } from "./dag_svg.ts";
import { renderSweepSection, type SweepSectionData } from "./sweep_table.ts";

/** What the run page shows. */
export interface RunPageData {
  run: RunRecord;
  stages: StageBrief[];
  counts: StateCounts;
  /** Stage names whose expansions are drawn individually ("*" for all). */
  expanded: ReadonlySet<string>;
  /** Newest event id when the stages were read: live updates continue after it. */
  lastEventId: number;
  /** Stage ids whose output holds a report.md. */
  reports: string[];
  /** The sweep table and chart (null: no matrix expansions or headline metrics). */
  sweep: SweepSectionData | null;
  now: number;
  staleAfterMs: number;
}

/** The query string that expands exactly `names` (empty: all collapsed). */
function expandQuery(runId: string, names: Iterable<string>): string {
  const list = [...names];
  return list.length === 0
    ? runHref(runId)
    : `${runHref(runId)}?expand=${list.map(encodeURIComponent).join(",")}`;
}

function toggleLink(data: RunPageData) {
  return (name: string, expanded: boolean): string => {
    const next = new Set([...data.expanded].filter((n) => n !== "*"));
    if (data.expanded.has("*")) {
      for (const stage of data.stages) next.add(stage.name);
    }
    if (expanded) next.delete(name);
    else next.add(name);
    return expandQuery(data.run.id, next);
  };
}

function countBadges(counts: StateCounts): SafeHtml {
  return html`<p class="counts" id="counts">${
    STATE_ORDER.map((state) =>
      html`
        <span class="badge st-${state}${counts[state] ? "" : " zero"}"
          data-count="${state}"><b>${counts[state] ?? 0}</b> ${state}</span>
      `
    )
  }</p>`;
}

/** States in which a stage is done for this run (whatever the outcome). */
const DONE: readonly StageState[] = ["succeeded", "cached", "failed", "skipped"];

/** "17 / 110 done" with a bar; `run.js` keeps both current. */
function progress(counts: StateCounts, total: number): SafeHtml {
  const done = DONE.reduce((n, state) => n + (counts[state] ?? 0), 0);
  return html`
    <span id="run-progress" data-total="${total}">${done} / ${total} done</span> <progress
      id="run-progress-bar" max="${Math.max(total, 1)}" value="${done}"></progress>
  `;
}

function header(data: RunPageData): SafeHtml {
  const { run } = data;
  const state = runStateLabel(run, data.now, data.staleAfterMs);
  const reports = data.reports.map((id) =>
    html`
      <a class="report-link" href="${stageHref(run.id, id)}/report">${id}</a>
    `
  );
  return html`<h1>${run.pipeline} <small>${run.id}</small></h1>
<dl class="facts">
<dt>State</dt><dd><span class="badge st-${state}" id="run-state">${state}</span></dd>
<dt>Started</dt><dd>${formatTime(run.startedAt)}</dd>
<dt>Duration</dt><dd><span class="live-duration" data-start="${run.startedAt}" data-end="${
    run.endedAt ?? ""
  }">${formatDuration(elapsed(run.startedAt, run.endedAt, data.now))}</span></dd>
<dt>Stages</dt><dd>${progress(data.counts, run.stageCount)}</dd>
<dt>Runner</dt><dd>${run.host} pid ${run.pid}</dd>
<dt>Command</dt><dd><code>${run.argv.join(" ")}</code></dd>
<dt>Pipeline file</dt><dd><code>${run.pipelineFile}</code></dd>
${
    data.reports.length
      ? html`
        <dt>Reports</dt>
        <dd>${reports}</dd>
      `
      : ""
  }
</dl>
${countBadges(data.counts)}`;
}

function stageRow(runId: string, stage: StageBrief, now: number): SafeHtml {
  const duration = elapsed(stage.startedAt, stage.endedAt, now);
  return html`
    <tr data-stage="${stage.id}" data-group="${stage.name}" data-state="${stage.state}"
      data-start="${stage.startedAt ?? ""}" data-end="${stage.endedAt ?? ""}">
      <td><a href="${stageHref(runId, stage.id)}">${stage.id}</a></td>
      <td>${stage.task}</td>
      <td class="state"
        data-sort-value="${STATE_ORDER.indexOf(
          stage.state as StageState,
        )}"><span class="badge st-${stage.state}">${stage.state}</span></td>
      <td data-sort-value="${stage.startedAt ?? ""}">${formatTime(stage.startedAt)}</td>
      <td class="duration" data-sort-value="${duration ?? ""}">${formatDuration(duration)}</td>
      <td class="reason" title="${stage.reason}">${stage.reason}</td>
    </tr>
  `;
}

function stageTable(data: RunPageData): SafeHtml {
  return html`
    <table class="stages sortable" id="stage-table">
      <thead>
        <tr>
          <th data-sort="text">Stage</th>
          <th data-sort="text">Task</th>
          <th data-sort="number">State</th>
          <th data-sort="number">Started</th>
          <th data-sort="number">Duration</th>
          <th data-sort="text">Reason</th>
        </tr>
      </thead>
      <tbody>${data.stages.map((stage) => stageRow(data.run.id, stage, data.now))}</tbody>
    </table>
  `;
}

/**
 * The run page: facts, state counts, the DAG (groups collapsed unless
 * expanded) and a sortable table of every stage; `run.js` keeps it live.
 *
 * @example
 * ```ts
 * renderRunPage({ run, stages, counts, expanded: new Set(), lastEventId: 0, reports: [], now: Date.now(), staleAfterMs: 60000 });
 * ```
 */
export function renderRunPage(data: RunPageData): SafeHtml {
  const model = buildDagModel(data.stages, data.expanded);
  const layout = layoutDag(model);
  const svg = renderDagSvg(model, layout, {
    stage: (id) => stageHref(data.run.id, id),
    toggle: toggleLink(data),
  });
  const note = layout.engine === "layered"
    ? html`
      <span class="note">(${model.nodes.length} nodes: simplified layout)</span>
    `
    : "";
  const body = html`
    <section class="run" id="run" data-run="${data.run.id}" data-last-event="${data.lastEventId}"
      data-state="${data.run.state}">
    ${header(data)}
    <h2>Graph</h2>
    <p class="controls"><a href="${expandQuery(data.run.id, [
      "*",
    ])}">Expand all</a> · <a href="${runHref(data.run.id)}">Collapse all</a>${note}</p>
    <div class="dag-wrap">${svg}</div>
    ${data.sweep ? renderSweepSection(data.sweep) : ""}
    <h2>Stages</h2>
    <p class="controls">Click a column heading to sort.</p>
    ${stageTable(data)}
    </section>
  `;
  return renderPage({
    title: `${data.run.pipeline} ${data.run.id}`,
    crumbs: [[data.run.id, null]],
    body,
    scripts: ["/static/run.js"],
    ...(data.sweep ? { modules: ["/static/sweep.js"] } : {}),
  });
}
