import { formatDuration } from "@dropline/format";
import { elapsed, formatTime, runHref, runStateLabel } from "./_format.ts";
import { html, type SafeHtml } from "./_html.ts";
import { renderPage } from "./_page.ts";
import type { RunRecord, StateCounts } from "@dropline/engine";

/** A run with its stage counts, as the runs page lists it. */
export interface RunListItem {
  run: RunRecord;
  counts: StateCounts;
  /** The run of the same pipeline listed before this one (older), to compare with. */
  previous: string | null;
}

/** What the runs page shows. */
export interface RunsPageData {
  runs: RunListItem[];
  cacheDir: string;
  now: number;
  staleAfterMs: number;
  /** Link to older runs, when there are more. */
  olderHref: string | null;
  /** Runs that reused every stage are hidden unless asked for; the link toggles them. */
  noop: { shown: true; toggleHref: string } | {
    shown: false;
    hidden: number;
    toggleHref: string;
  };
}

/** The compare page of two runs, A the older. */
export function compareHref(a: string, b: string): string {
  return `/compare?${new URLSearchParams({ a, b })}`;
}

function noopNote(noop: RunsPageData["noop"]): SafeHtml | "" {
  if (noop.shown) {
    return html`<p class="note">Showing no-op runs (every stage reused). <a href="${noop.toggleHref}">Hide them</a></p>`;
  }
  if (noop.hidden === 0) return "";
  return html`
    <p
      class="note">${noop.hidden} no-op run${noop.hidden === 1
        ? ""
        : "s"} (every stage reused) hidden. <a href="${noop.toggleHref}">Show no-op runs</a></p>
  `;
}

function countCell(counts: StateCounts): SafeHtml {
  const parts: Array<[string, number]> = [
    ["ran", counts.succeeded ?? 0],
    ["cached", counts.cached ?? 0],
    ["failed", counts.failed ?? 0],
    ["running", counts.running ?? 0],
  ];
  const other = (counts.pending ?? 0) + (counts.skipped ?? 0) + (counts.interrupted ?? 0);
  return html`${
    parts.map(([label, n]) => html`<span class="count${n ? "" : " zero"}">${n} ${label}</span>`)
  }${other ? html`<span class="count">${other} other</span>` : ""}`;
}

function row(item: RunListItem, data: RunsPageData): SafeHtml {
  const { run } = item;
  const state = runStateLabel(run, data.now, data.staleAfterMs);
  const compare = item.previous
    ? html`<a class="compare-previous" href="${compareHref(item.previous, run.id)}">vs previous</a>`
    : "";
  return html`
    <tr data-run="${run.id}">
      <td><input type="checkbox" data-compare="${run.id}" aria-label="Compare ${run.id}"></td>
      <td><a href="${runHref(run.id)}">${run.id}</a></td>
      <td>${run.pipeline}</td>
      <td>${formatTime(run.startedAt)}</td>
      <td>${formatDuration(elapsed(run.startedAt, run.endedAt, data.now))}</td>
      <td><span class="badge st-${state}">${state}</span>${run.noop
        ? html`
          <span class="badge">no-op</span>
        `
        : ""}</td>
      <td class="counts">${countCell(item.counts)}</td>
      <td>${compare}</td>
    </tr>
  `;
}

/**
 * The runs page: every run of every pipeline in the cache, newest first;
 * runs that reused every stage only when asked for (`?noop=1`).
 *
 * @example
 * ```ts
 * renderRunsPage({
 *   runs: [],
 *   cacheDir: "/c",
 *   now: Date.now(),
 *   staleAfterMs: 60000,
 *   olderHref: null,
 *   noop: { shown: false, hidden: 0, toggleHref: "/?noop=1" },
 * });
 * ```
 */
export function renderRunsPage(data: RunsPageData): SafeHtml {
  const body = data.runs.length === 0 && !data.noop.shown && data.noop.hidden > 0
    ? html`<h1>Runs</h1>${noopNote(data.noop)}`
    : data.runs.length === 0
    ? html`
      <h1>Runs</h1>
      <p
        class="empty">No runs yet in <code>${data
          .cacheDir}</code>. Start one with <code>deno task run pipelines/rotated_mnist.yaml</code>; it appears here as soon as it starts.</p>
    `
    : html`
      <h1>Runs</h1>
      <p class="controls" id="compare-controls">Tick two runs to compare them: <a id="compare-link"
        aria-disabled="true">Compare</a></p>
      <table class="runs" id="runs">
        <thead>
          <tr>
            <th></th>
            <th>Run</th>
            <th>Pipeline</th>
            <th>Started</th>
            <th>Duration</th>
            <th>State</th>
            <th>Stages</th>
            <th>Compare</th>
          </tr>
        </thead>
        <tbody>${data.runs.map((item) => row(item, data))}</tbody>
      </table>${data.olderHref
        ? html`<p><a href="${data.olderHref}">Older runs</a></p>`
        : ""}${noopNote(data.noop)}
    `;
  return renderPage({ title: "Runs", body, modules: ["/static/runs.js"] });
}
