// The stage page: draws the metrics charts with uPlot and, while the stage is
// pending or running, polls for its state, new log lines and new metrics.
// A module: it runs after uPlot's deferred script.
import { tickLabels } from "./ticks.js";

(() => {
  "use strict";
  const root = document.getElementById("stage");
  if (!root) return;

  const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777"];
  const LIVE = new Set(["pending", "running"]);
  const MAX_LOG_CHARS = 400000;
  const base = `/api/runs/${encodeURIComponent(root.dataset.run)}/stages/${
    encodeURIComponent(root.dataset.stage)
  }`;
  const charts = new Map();

  function chartOptions(chart, width) {
    return {
      title: chart.title,
      width,
      height: 240,
      scales: { x: { time: false } },
      axes: [
        { label: "step" },
        // uPlot's own labels round to three decimals: 0.0025 and 0.002 both read "0.002".
        { size: 70, values: (_u, splits, _axis, _space, step) => tickLabels(splits, step) },
      ],
      series: [
        { label: "step" },
        ...chart.series.map((s, i) => ({
          label: s.name,
          stroke: COLORS[i % COLORS.length],
          width: 1.6,
          spanGaps: true,
        })),
      ],
    };
  }

  function drawCharts(data) {
    const container = document.getElementById("charts");
    if (!container || typeof uPlot === "undefined") return;
    const empty = document.getElementById("charts-empty");
    if (empty && data.length > 0) empty.remove();
    for (const chart of data) {
      const columns = [chart.steps, ...chart.series.map((s) => s.values)];
      const known = charts.get(chart.title);
      if (known && known.names === chart.series.map((s) => s.name).join("\n")) {
        known.plot.setData(columns);
        continue;
      }
      known?.element.remove();
      const element = document.createElement("div");
      element.className = "chart";
      element.dataset.chart = chart.title;
      container.append(element);
      const width = Math.max(320, element.clientWidth - 16);
      // deno-lint-ignore no-undef
      const plot = new uPlot(chartOptions(chart, width), columns, element);
      charts.set(chart.title, { plot, element, names: chart.series.map((s) => s.name).join("\n") });
    }
  }

  function setState(state, progress) {
    const badge = document.getElementById("stage-state");
    for (const name of [...badge.classList]) {
      if (name.startsWith("st-")) badge.classList.remove(name);
    }
    badge.classList.add(`st-${state}`);
    badge.textContent = state;
    root.dataset.state = state;
    document.getElementById("stage-progress").textContent = progress;
  }

  function appendLog(text) {
    const log = document.getElementById("log");
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.textContent = (log.textContent + text).slice(-MAX_LOG_CHARS);
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  function progressText(p) {
    if (!p || typeof p.done !== "number") return "";
    const total = typeof p.total === "number" ? ` / ${p.total}` : "";
    const unit = typeof p.unit === "string" ? ` ${p.unit}` : "";
    const note = typeof p.note === "string" ? ` (${p.note})` : "";
    return `${p.done}${total}${unit}${note}`;
  }

  async function readNewLog() {
    const log = document.getElementById("log");
    for (;;) {
      const chunk = await (await fetch(`${base}/log?from=${log.dataset.next}`)).json();
      if (chunk.text) appendLog(chunk.text);
      log.dataset.next = String(chunk.next);
      const status = document.getElementById("log-status");
      if (!chunk.missing && status.textContent === "No log yet.") status.textContent = "";
      // A chunk is at most 64 KiB: keep reading while more was there.
      if (!chunk.text || chunk.next >= chunk.size) return;
    }
  }

  async function refresh() {
    // State first, then the log: a runner writes a stage's log before it
    // records the stage as ended, so the last round reads the whole log.
    const details = await (await fetch(base)).json();
    await readNewLog();
    setState(details.stage.state, progressText(details.stage.progress));
    drawCharts(details.charts);
    return details.stage.state;
  }

  async function follow() {
    let state = root.dataset.state;
    while (LIVE.has(state)) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      try {
        state = await refresh();
      } catch {
        // The server may be restarting: try again on the next round.
      }
    }
  }

  drawCharts(JSON.parse(document.getElementById("metrics-data").textContent));
  follow();
})();
