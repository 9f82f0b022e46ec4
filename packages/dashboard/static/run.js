// The run page, live: applies the run's server-sent events to the DAG, the
// state counts and the stage table without a reload, and sorts the table.
(() => {
  "use strict";
  const root = document.getElementById("run");
  if (!root) return;

  const ORDER = ["failed", "running", "interrupted", "pending", "skipped", "succeeded", "cached"];
  const ENDED = new Set(["succeeded", "cached", "failed", "skipped", "interrupted"]);
  const stages = new Map();
  const groups = new Map();

  const num = (value) => (value === undefined || value === "" ? null : Number(value));

  for (const row of document.querySelectorAll("#stage-table tbody tr")) {
    stages.set(row.dataset.stage, {
      group: row.dataset.group,
      state: row.dataset.state,
      start: num(row.dataset.start),
      end: num(row.dataset.end),
      row,
      nodes: [],
    });
  }
  // The sweep table's state cells follow too (metrics appear on the next load).
  const sweepHeaders = [...document.querySelectorAll("#sweep-table thead th")];
  const sweepState = sweepHeaders.findIndex((th) => th.dataset.column === "state");
  const sweepRows = new Map(
    [...document.querySelectorAll("#sweep-table tbody tr")].map((row) => [row.dataset.stage, row]),
  );

  function updateSweepRow(id, state) {
    const cell = sweepRows.get(id)?.cells[sweepState];
    const badge = cell?.querySelector(".badge");
    if (!badge) return;
    setStateClass(badge, state);
    badge.textContent = state;
    cell.dataset.sortValue = String(ORDER.indexOf(state));
  }

  for (const node of document.querySelectorAll("svg.dag [data-stage]")) {
    stages.get(node.dataset.stage)?.nodes.push(node);
  }
  for (const element of document.querySelectorAll("svg.dag [data-group]")) {
    groups.set(element.dataset.group, element);
  }

  function setStateClass(element, state) {
    for (const name of [...element.classList]) {
      if (name.startsWith("st-")) element.classList.remove(name);
    }
    element.classList.add(`st-${state}`);
  }

  function formatDuration(ms) {
    if (ms === null || !(ms >= 0)) return "-";
    if (ms < 1000) return `${Math.round(ms)} ms`;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(1)} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
    return `${Math.floor(m / 60)} h ${m % 60} min`;
  }

  function formatTime(ms) {
    if (ms === null) return "-";
    return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  }

  function updateRow(stage) {
    const cells = stage.row.cells;
    stage.row.dataset.state = stage.state;
    const badge = cells[2].querySelector(".badge");
    setStateClass(badge, stage.state);
    badge.textContent = stage.state;
    cells[2].dataset.sortValue = String(ORDER.indexOf(stage.state));
    cells[3].textContent = formatTime(stage.start);
    cells[3].dataset.sortValue = stage.start === null ? "" : String(stage.start);
    updateDuration(stage, Date.now());
  }

  function updateDuration(stage, now) {
    const ms = stage.start === null ? null : (stage.end ?? now) - stage.start;
    const cell = stage.row.cells[4];
    cell.textContent = formatDuration(ms);
    cell.dataset.sortValue = ms === null ? "" : String(ms);
  }

  function updateGroup(name, element) {
    const counts = {};
    let size = 0;
    for (const stage of stages.values()) {
      if (stage.group !== name) continue;
      counts[stage.state] = (counts[stage.state] ?? 0) + 1;
      size++;
    }
    setStateClass(element, ORDER.find((state) => counts[state]) ?? "cached");
    const bar = element.querySelector(".bar");
    const width = Number(bar.dataset.width);
    let x = 0;
    for (const segment of bar.querySelectorAll("rect:not(.track)")) {
      const state = [...segment.classList].find((c) => c.startsWith("st-")).slice(3);
      const w = ((counts[state] ?? 0) / Math.max(size, 1)) * width;
      segment.setAttribute("x", x.toFixed(1));
      segment.setAttribute("width", w.toFixed(1));
      x += w;
    }
  }

  function updateCounts() {
    const counts = {};
    for (const stage of stages.values()) counts[stage.state] = (counts[stage.state] ?? 0) + 1;
    for (const badge of document.querySelectorAll("#counts [data-count]")) {
      const n = counts[badge.dataset.count] ?? 0;
      badge.querySelector("b").textContent = String(n);
      badge.classList.toggle("zero", n === 0);
    }
    const done = ["succeeded", "cached", "failed", "skipped"]
      .reduce((n, state) => n + (counts[state] ?? 0), 0);
    const label = document.getElementById("run-progress");
    if (label) label.textContent = `${done} / ${label.dataset.total} done`;
    const bar = document.getElementById("run-progress-bar");
    if (bar) bar.value = done;
  }

  const dirtyGroups = new Set();
  let scheduled = false;
  function flush() {
    scheduled = false;
    for (const name of dirtyGroups) {
      const element = groups.get(name);
      if (element) updateGroup(name, element);
    }
    dirtyGroups.clear();
    updateCounts();
  }

  function applyStageEvent(event) {
    const stage = stages.get(event.stage);
    if (!stage) return;
    stage.state = event.state;
    if (event.reason) {
      const cell = stage.row.querySelector("td.reason");
      if (cell) {
        cell.textContent = event.reason;
        cell.title = event.reason;
      }
    }
    if (event.state === "running") {
      stage.start = event.at;
      stage.end = null;
    } else if (ENDED.has(event.state)) {
      stage.end = event.at;
    } else {
      stage.end = null;
    }
    updateRow(stage);
    updateSweepRow(event.stage, event.state);
    for (const node of stage.nodes) setStateClass(node, event.state);
    dirtyGroups.add(stage.group);
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(flush);
    }
  }

  function setRunState(state) {
    const badge = document.getElementById("run-state");
    setStateClass(badge, state);
    badge.textContent = state;
    root.dataset.state = state;
    if (state !== "running") {
      for (const element of document.querySelectorAll(".facts .live-duration")) {
        if (element.dataset.end === "") element.dataset.end = String(Date.now());
      }
    }
  }

  function connect() {
    const runId = encodeURIComponent(root.dataset.run);
    const source = new EventSource(`/api/runs/${runId}/events?after=${root.dataset.lastEvent}`);
    source.addEventListener("open", () => (root.dataset.live = "connected"));
    source.addEventListener("stage", (e) => applyStageEvent(JSON.parse(e.data)));
    source.addEventListener("run", (e) => setRunState(JSON.parse(e.data).state));
    source.addEventListener("end", (e) => {
      setRunState(JSON.parse(e.data).state);
      root.dataset.live = "ended";
      source.close();
    });
  }

  function tick() {
    const now = Date.now();
    for (const stage of stages.values()) {
      if (stage.state === "running") updateDuration(stage, now);
    }
    for (const element of document.querySelectorAll(".facts .live-duration")) {
      const start = num(element.dataset.start);
      if (start !== null && element.dataset.end === "") {
        element.textContent = formatDuration(now - start);
      }
    }
  }

  function sortBy(table, header) {
    const index = [...header.parentElement.children].indexOf(header);
    const numeric = header.dataset.sort === "number";
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    for (const th of header.parentElement.children) th.removeAttribute("aria-sort");
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const key = (row) => {
      const cell = row.cells[index];
      if (!numeric) return cell.textContent;
      const value = cell.dataset.sortValue;
      return value === "" || value === undefined ? Infinity : Number(value);
    };
    const body = table.tBodies[0];
    const rows = [...body.rows].map((row) => [key(row), row]);
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) * (ascending ? 1 : -1));
    body.append(...rows.map(([, row]) => row));
  }

  for (const table of document.querySelectorAll("table.sortable")) {
    for (const header of table.tHead.rows[0].cells) {
      header.addEventListener("click", () => sortBy(table, header));
    }
  }

  if (root.dataset.state === "running") {
    connect();
    setInterval(tick, 1000);
  }
})();
