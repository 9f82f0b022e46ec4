import { formatBytes, formatDuration } from "@dropline/format";
import { elapsed, formatTime, runHref, stageHref } from "./_format.ts";
import { html, jsonScript, type SafeHtml } from "./_html.ts";
import { renderPage } from "./_page.ts";
import { metricText } from "./sweep_view.ts";
import type { LogChunk } from "./log_tail.ts";
import type { ChartData } from "./metrics_charts.ts";
import type { OutputFile } from "./outputs.ts";
import type { RunRecord, StageRecord } from "@dropline/engine";

/** What the stage page shows. */
export interface StagePageData {
  run: RunRecord;
  stage: StageRecord;
  /** The same stage in runs of the same pipeline, newest first. */
  history: StageRecord[];
  downstream: string[];
  outputs: { files: OutputFile[]; truncated: boolean };
  /** Download link of an output file (path relative to the output dir). */
  outputHref(path: string): string | null;
  logHref: string | null;
  log: LogChunk;
  charts: ChartData[];
  /** Metrics left out of the charts because they are 0 at every step. */
  flatMetrics: string[];
  hasReport: boolean;
  /** The headline metrics the stage's task declares, read from its output (null: none). */
  headline: Record<string, number | null> | null;
  now: number;
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? "null";
}

/** Where the attempt executed and, on a cluster, its job(s): id, node and scheduler state. */
function executed(stage: StageRecord): SafeHtml | string {
  if (!stage.executor) return "";
  if (stage.jobs.length === 0) {
    return html`
      <dt>Executor</dt>
      <dd>${stage.executor}</dd>
    `;
  }
  const rows = stage.jobs.map((job) =>
    html`
      <li>job <code class="job-id">${job.id}</code>${job.node ? ` on ${job.node}` : ""}: <span
        class="job-state"
      >${job.state}</span>${job.reason
        ? html`
          <span class="muted">(${job.reason})</span>
        `
        : ""}</li>
    `
  );
  return html`
    <dt>Executor</dt>
    <dd>${stage.executor}</dd>
    <dt>${stage.jobs.length === 1 ? "Job" : "Jobs"}</dt>
    <dd>
      <ul class="jobs">${rows}</ul>
    </dd>
  `;
}

function result(headline: StagePageData["headline"]): SafeHtml | "" {
  if (!headline || Object.keys(headline).length === 0) return "";
  const parts = Object.entries(headline).map(([name, value]) =>
    html`
      <span class="metric">${name} <b>${metricText(value) || "-"}</b></span>
    `
  );
  return html`
    <dt>Result</dt>
    <dd id="stage-result">${parts}</dd>
  `;
}

function facts(data: StagePageData): SafeHtml {
  const { stage } = data;
  const links = (ids: string[]) =>
    ids.length
      ? ids.map((id) =>
        html`
          <a href="${stageHref(data.run.id, id)}">${id}</a>
        `
      )
      : html`<span class="muted">none</span>`;
  return html`<dl class="facts">
<dt>State</dt><dd><span class="badge st-${stage.state}" id="stage-state">${stage.state}</span> <span id="stage-progress">${
    progressText(stage.progress)
  }</span></dd>
<dt>Why</dt><dd id="stage-reason">${stage.reason}</dd>
${result(data.headline)}
<dt>Task</dt><dd>${stage.task} <span class="muted">version ${stage.taskVersion}</span></dd>
<dt>Key</dt><dd><code>${stage.key ?? "not known yet"}</code></dd>
${
    stage.facts
      ? html`
        <dt>Recorded</dt>
        <dd>${Object.entries(stage.facts).map(([k, v]) => `${k} ${String(v)}`).join(", ")}</dd>
      `
      : ""
  }
${executed(stage)}
<dt>Started</dt><dd>${formatTime(stage.startedAt)}</dd>
<dt>Duration</dt><dd><span class="live-duration" data-start="${stage.startedAt ?? ""}" data-end="${
    stage.endedAt ?? ""
  }">${formatDuration(elapsed(stage.startedAt, stage.endedAt, data.now))}</span></dd>
<dt>Needs</dt><dd>${links(stage.needs)}</dd>
<dt>Needed by</dt><dd>${links(data.downstream)}</dd>
${
    stage.outPath
      ? html`
        <dt>Output</dt>
        <dd><code>${stage.outPath}</code></dd>
      `
      : ""
  }
${
    data.hasReport
      ? html`
        <dt>Report</dt>
        <dd><a href="${stageHref(data.run.id, stage.id)}/report">Open the report</a></dd>
      `
      : ""
  }
</dl>`;
}

/** "12 / 100 steps (loss 0.31)" from a Progress object. */
export function progressText(progress: unknown): string {
  if (!progress || typeof progress !== "object") return "";
  const p = progress as { done?: unknown; total?: unknown; unit?: unknown; note?: unknown };
  if (typeof p.done !== "number") return "";
  const total = typeof p.total === "number" ? ` / ${p.total}` : "";
  const unit = typeof p.unit === "string" ? ` ${p.unit}` : "";
  const note = typeof p.note === "string" ? ` (${p.note})` : "";
  return `${p.done}${total}${unit}${note}`;
}

function attempts(data: StagePageData): SafeHtml {
  const rows = data.history.map((attempt) =>
    html`
      <tr${attempt.runId === data.run.id
        ? html`
          class="current"
        `
        : ""}>
        <td><a href="${stageHref(attempt.runId, attempt.id)}">${attempt.runId}</a></td>
        <td><span class="badge st-${attempt.state}">${attempt.state}</span></td>
        <td>${attempt.reason}</td>
        <td><code>${(attempt.key ?? "").slice(0, 12)}</code></td>
        <td>${formatTime(attempt.startedAt)}</td>
        <td>${formatDuration(elapsed(attempt.startedAt, attempt.endedAt, data.now))}</td>
        <td class="error">${attempt.error ?? ""}</td>
        </tr>
    `
  );
  return html`
    <table class="attempts">
      <thead>
        <tr>
          <th>Run</th>
          <th>State</th>
          <th>Why</th>
          <th>Key</th>
          <th>Started</th>
          <th>Duration</th>
          <th>Error</th>
        </tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>
  `;
}

function outputs(data: StagePageData): SafeHtml {
  if (data.outputs.files.length === 0) {
    return html`<p class="muted">${data.stage.outPath ? "No files." : "Not published."}</p>`;
  }
  const rows = data.outputs.files.map((file) => {
    const href = data.outputHref(file.path);
    const name = href ? html`<a href="${href}">${file.path}</a>` : file.path;
    const download = href ? html`<a href="${href}?download=1" download>download</a>` : "";
    return html`
      <tr>
        <td>${name}</td>
        <td class="num">${formatBytes(file.size)}</td>
        <td>${download}</td>
      </tr>
    `;
  });
  return html`
    <table class="files">
      <thead>
        <tr>
          <th>File</th>
          <th>Size</th>
          <th></th>
        </tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>${data.outputs.truncated
      ? html`<p class="muted">Only the first ${data.outputs.files.length} files are listed.</p>`
      : ""}
  `;
}

function logSection(data: StagePageData): SafeHtml {
  const { log } = data;
  const status = log.missing
    ? data.stage.state === "running" || data.stage.state === "pending"
      ? "No log yet."
      : "No log: the stage printed nothing."
    : log.from > 0
    ? `Showing the end of the log (${formatBytes(log.size)} in all).`
    : "";
  const full = data.logHref
    ? html`
      <a href="${data.logHref}">Full log</a>
    `
    : "";
  return html`
    <p class="muted"><span id="log-status">${status}</span>${full}</p>
    <pre class="log" id="log" data-next="${log.next}">${log.text}</pre>
  `;
}

/**
 * The stage page: facts, error, parameters, metrics charts, log (tailed live
 * by `stage.js` while the stage runs), output files and attempts.
 *
 * @example
 * ```ts
 * renderStagePage(data).includes("<h2>Log</h2>"); // true
 * ```
 */
export function renderStagePage(data: StagePageData): SafeHtml {
  const { run, stage } = data;
  const matrix = Object.keys(stage.matrix).length
    ? html`
      <h2>Matrix</h2>
      <pre class="json">${pretty(stage.matrix)}</pre>
    `
    : "";
  const flat = data.flatMetrics.length
    ? html`<p class="muted" id="charts-flat">Not drawn, 0 at every step: ${
      data.flatMetrics.join(", ")
    }.</p>`
    : "";
  const charts = data.charts.length || data.flatMetrics.length
    ? html`<div class="charts" id="charts"></div>${flat}`
    : html`
      <p class="muted" id="charts-empty">No metrics logged.</p>
      <div class="charts" id="charts"></div>
    `;
  const body = html`
    <section class="stage" id="stage" data-run="${run.id}" data-stage="${stage.id}"
      data-state="${stage.state}">
    <h1>${stage.id} <small>${stage.task}</small></h1>
    ${facts(data)}
    ${stage.error
      ? html`
        <h2>Error</h2>
        <pre class="error">${stage.error}</pre>
      `
      : ""}
    ${matrix}
    <h2>Parameters</h2><pre class="json">${pretty(stage.params)}</pre>
    <details><summary>Key inputs</summary><pre class="json">${pretty(
      stage.keyInputs,
    )}</pre></details>
    <h2>Metrics</h2>${charts}${jsonScript("metrics-data", data.charts)}
    <h2>Log</h2>${logSection(data)}
    <h2>Output files</h2>${outputs(data)}
    <h2>Attempts</h2>${attempts(data)}
    </section>
  `;
  return renderPage({
    title: stage.id,
    crumbs: [[run.id, runHref(run.id)], [stage.id, null]],
    body,
    scripts: ["/static/vendor/uPlot.iife.min.js"],
    modules: ["/static/stage.js"],
    styles: ["/static/vendor/uPlot.min.css"],
  });
}
