// The run page's sweep table, in place: sorting, filters by stage and matrix
// axis, the column chooser and the chart's choices all edit one URL query
// (the same one the server renders without script) and apply it to the rows
// already on the page; the chart is fetched again when what it draws changes.
(() => {
  "use strict";
  const section = document.getElementById("sweep");
  const table = document.getElementById("sweep-table");
  if (!section || !table) return;

  const FILTER = "f.";
  const CHART = ["metric", "x", "by"];
  const body = table.tBodies[0];
  const headers = [...table.tHead.rows[0].cells].slice(1);
  const keys = headers.map((th) => th.dataset.column);
  const rows = [...body.rows];
  let params = new URLSearchParams(location.search);

  // Cells carry no column key (a 1,000-row table stays small): the first is the stage.
  const cellOf = (row, key) => row.cells[keys.indexOf(key) + 1];

  function sortValue(row, key, numeric) {
    const cell = cellOf(row, key);
    const value = cell?.dataset.sortValue ?? cell?.textContent ?? "";
    if (value === "") return null;
    return numeric ? Number(value) : value;
  }

  function compare(a, b, descending) {
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    const order = typeof a === "number" && typeof b === "number"
      ? a - b
      : String(a).localeCompare(String(b), undefined, { numeric: true });
    return descending ? -order : order;
  }

  function applyRows() {
    const stage = params.get("stage") ?? "";
    const filters = [...params].filter(([name, value]) => name.startsWith(FILTER) && value);
    let shown = 0;
    for (const row of rows) {
      const visible = (stage === "" || row.dataset.name === stage) &&
        filters.every(([name, value]) =>
          cellOf(row, `m:${name.slice(FILTER.length)}`)?.textContent === value
        );
      row.hidden = !visible;
      if (visible) shown++;
    }
    document.querySelector("#sweep-count b").textContent = String(shown);
  }

  function applySort() {
    const key = params.get("sort");
    const descending = params.get("order") === "desc";
    const ordered = rows.slice().sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index));
    for (const th of headers) th.removeAttribute("aria-sort");
    const th = headers[keys.indexOf(key)];
    if (th) {
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      const numeric = th.dataset.numeric === "1";
      // Array.prototype.sort is stable: ties keep the topological order.
      ordered.sort((a, b) =>
        compare(sortValue(a, key, numeric), sortValue(b, key, numeric), descending)
      );
    }
    body.append(...ordered);
  }

  function applyColumns() {
    const chosen = params.get("cols");
    const visible = new Set(chosen === null ? keys : chosen.split(","));
    keys.forEach((key, i) => {
      headers[i].hidden = !visible.has(key);
      for (const row of rows) row.cells[i + 1].hidden = !visible.has(key);
    });
    for (const box of section.querySelectorAll("input[data-column]")) {
      box.checked = visible.has(box.dataset.column);
    }
  }

  function syncSelects() {
    for (const select of section.querySelectorAll("select[data-param]")) {
      const value = params.get(select.dataset.param);
      if (value !== null) select.value = value;
      else if (!CHART.includes(select.dataset.param)) select.value = "";
    }
  }

  let chartRequests = 0;

  async function refreshChart() {
    const url = `/runs/${encodeURIComponent(section.dataset.run)}/sweep/chart?${params}`;
    // Answers may arrive out of order: only the latest request's is drawn.
    const request = ++chartRequests;
    try {
      const response = await fetch(url);
      const text = await response.text();
      if (!response.ok || request !== chartRequests) return;
      const template = document.createElement("template");
      template.innerHTML = text;
      const fresh = template.content.getElementById("sweep-chart");
      if (fresh) document.getElementById("sweep-chart").replaceWith(fresh);
      syncSelects();
    } catch {
      // The server may be restarting: the chart keeps its last state.
    }
  }

  function update(change, { chart = true } = {}) {
    change(params);
    const search = params.toString();
    history.replaceState(null, "", `${location.pathname}${search ? `?${search}` : ""}#sweep`);
    applyRows();
    applySort();
    applyColumns();
    syncSelects();
    if (chart) refreshChart();
  }

  const set = (name, value) => (p) => (value === "" ? p.delete(name) : p.set(name, value));

  section.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("select[data-param]")) {
      update(set(target.dataset.param, target.value));
    } else if (target.matches("input[data-column]")) {
      const chosen = [...section.querySelectorAll("input[data-column]")]
        .filter((box) => box.checked)
        .map((box) => box.dataset.column);
      update(
        (p) => (chosen.length === keys.length ? p.delete("cols") : p.set("cols", chosen.join(","))),
        {
          chart: false,
        },
      );
    }
  });

  table.addEventListener("click", (event) => {
    const cell = event.target.closest("td");
    if (cell && !event.target.closest("a")) {
      // A matrix value keeps only the rows with it.
      const th = headers[cell.cellIndex - 1];
      if (th?.dataset.kind === "matrix" && cell.textContent !== "") {
        update(set(`${FILTER}${th.dataset.column.slice(2)}`, cell.textContent));
      }
      return;
    }
    const link = event.target.closest("th a");
    if (!link) return;
    const th = link.closest("th");
    event.preventDefault();
    const key = th.dataset.column;
    const again = params.get("sort") === key;
    const descending = again ? params.get("order") !== "desc" : th.dataset.kind === "metric";
    update((p) => {
      p.set("sort", key);
      if (descending) p.set("order", "desc");
      else p.delete("order");
    }, { chart: false });
  });

  // The server rendered this same query; applying it again binds nothing new but
  // keeps the page right after the browser restores a form's old values.
  params = new URLSearchParams(location.search);
  applyColumns();
  syncSelects();
})();
