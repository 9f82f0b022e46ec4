import assert from "node:assert/strict";
import { gridRows } from "./_sweep_rows.ts";
import { chartLines, chooseChart, renderSweepChart } from "./sweep_chart.ts";
import { sweepAxes } from "./sweep_view.ts";
import { HttpError } from "./http_error.ts";

const none = { metric: null, x: null, by: null };

Deno.test("chooseChart() defaults to the first metric against a numeric axis, a line per method", () => {
  const axes = sweepAxes(gridRows());
  assert.deepEqual(chooseChart(["val_acc", "test_acc"], axes, none), {
    metric: "val_acc",
    x: "dropout",
    by: "method",
  });
  assert.deepEqual(chooseChart(["test_acc"], axes, { metric: "test_acc", x: "seed", by: "" }), {
    metric: "test_acc",
    x: "seed",
    by: null,
  });
  assert.equal(chooseChart([], axes, none), null);
  assert.throws(
    () => chooseChart(["test_acc"], axes, { ...none, x: "rate" }),
    (e) => e instanceof HttpError && e.status === 400 && /Unknown axis "rate"/.test(e.message),
  );
});

Deno.test("chartLines() averages over the other axes: a line per method, a point per rate", () => {
  const lines = chartLines(gridRows(), { metric: "test_acc", x: "dropout", by: "method" });
  assert.deepEqual(lines.map((l) => l.label), ["method=erm", "method=soup"]);
  const soup = lines[1]!;
  assert.deepEqual(soup.points.map((p) => p.x), ["0", "0.5", "0.9"]);
  assert.deepEqual(soup.points[2]!.values.map((v) => v.toFixed(3)), ["0.710", "0.720"]);
  assert.ok(Math.abs(soup.points[2]!.mean - 0.715) < 1e-12);
});

Deno.test("renderSweepChart() draws a line per method with a dot per value and labelled axes", () => {
  const rows = gridRows();
  const svg = String(
    renderSweepChart(rows, sweepAxes(rows), { metric: "test_acc", x: "dropout", by: "method" }),
  );
  assert.equal(svg.split('class="line"').length - 1, 2);
  assert.equal(svg.split('class="value"').length - 1, 12);
  assert.equal(svg.split('class="mean"').length - 1, 6);
  assert.match(svg, /aria-label="test_acc against dropout"/);
  // Numeric x ticks from 0 to 0.9, y ticks with enough decimals to differ.
  assert.match(svg, />0\.0<\/text>/);
  assert.match(svg, />0\.8<\/text>/);
  assert.match(svg, /<title>method=soup, 0\.9: mean 0\.7150 of 2 \(0\.7100, 0\.7200\)<\/title>/);
  // The erm line falls from left to right: its last mean is drawn lower (larger y).
  const erm = svg.slice(svg.indexOf('data-line="method=erm"'));
  const ys = [...erm.matchAll(/M[\d.]+,([\d.]+)|L[\d.]+,([\d.]+)/g)].slice(0, 3)
    .map((m) => Number(m[1] ?? m[2]));
  assert.ok(ys[0]! < ys[2]!, `y ${ys}`);
});

Deno.test("renderSweepChart() says so when no row has the metric yet", () => {
  const rows = gridRows().map((r) => ({ ...r, metrics: {} }));
  const html = String(
    renderSweepChart(rows, sweepAxes(rows), { metric: "test_acc", x: "dropout", by: null }),
  );
  assert.match(html, /No row shown has a value of test_acc yet/);
});
