import assert from "node:assert/strict";
import { gridRows } from "./_sweep_rows.ts";
import { renderComparePage } from "./compare_page.ts";
import { diffRuns } from "./run_diff.ts";
import { chooseChart } from "./sweep_chart.ts";
import { parseSweepQuery } from "./sweep_query.ts";
import { renderSweepSection } from "./sweep_table.ts";
import { sweepView } from "./sweep_view.ts";

const none = { metric: null, x: null, by: null };

Deno.test("the sweep table, chart and compare page render hostile matrix values as text", () => {
  const evil = '"><img src=x onerror=alert(1)>';
  const rows = gridRows().map((row) => ({
    ...row,
    stage: `${row.stage}${evil}`,
    matrix: { ...row.matrix, method: `${row.matrix.method}${evil}` },
    params: { ...row.params, note: evil + row.stage },
  }));
  const query = parseSweepQuery(new URLSearchParams());
  const view = sweepView(rows, query, String);
  const chart = chooseChart(["test_acc"], view.axes, none)!;
  const section = String(renderSweepSection({
    runId: "r<1>",
    view,
    query,
    chartQuery: none,
    chart,
    chartRows: rows,
    metrics: ["test_acc"],
  }));
  const run = {
    id: "r<1>",
    pipeline: evil,
    pipelineFile: "p",
    argv: [],
    state: "succeeded" as const,
    startedAt: 0,
    endedAt: 1,
    heartbeatAt: 1,
    host: "h",
    pid: 1,
    stageCount: 12,
    noop: false,
  };
  const compare = String(
    renderComparePage({ a: run, b: run, diff: diffRuns(gridRows(), rows) }),
  );
  for (const html of [section, compare]) {
    assert.ok(!html.includes("<img src=x"), "no raw markup from a pipeline");
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
  }
});
