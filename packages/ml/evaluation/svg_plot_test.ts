import assert from "node:assert/strict";
import { niceTicks, renderPlot } from "./svg_plot.ts";

Deno.test("niceTicks() covers the range with round steps", () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(63, 97), [60, 70, 80, 90, 100]);
  assert.deepEqual(niceTicks(0.05, 0.95), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.ok(niceTicks(5, 5).length >= 2, "a flat range still gets ticks");
});

Deno.test("renderPlot() draws each series with its legend and escapes labels", () => {
  const svg = renderPlot({
    title: "<script>alert(1)</script>",
    xLabel: "dropout",
    yLabel: "accuracy",
    series: [
      { name: "sketch & co", points: [{ x: 0, y: 70 }, { x: 0.9, y: 80, err: 2 }] },
      { name: "runs", style: "scatter", points: [{ x: 1, y: 2 }] },
    ],
  });
  assert.ok(svg.startsWith("<svg"));
  assert.ok(!svg.includes("<script>"));
  assert.ok(svg.includes("&lt;script&gt;"));
  assert.ok(svg.includes("sketch &amp; co"));
  assert.equal((svg.match(/<path /g) ?? []).length, 1, "one line; the scatter has none");
  assert.equal((svg.match(/<circle /g) ?? []).length, 3);
  const open = (svg.match(/<(svg|text|line|rect|path|circle)\b/g) ?? []).length;
  const closed = (svg.match(/\/>|<\/(svg|text)>/g) ?? []).length;
  assert.equal(open, closed, "every element is closed");
});

Deno.test("renderPlot() copes with no points", () => {
  assert.ok(renderPlot({ title: "t", xLabel: "x", yLabel: "y", series: [] }).includes("</svg>"));
});

Deno.test("renderPlot() spaces categories evenly and labels them", () => {
  const svg = renderPlot({
    title: "t",
    xLabel: "p",
    yLabel: "acc",
    xCategories: ["0", "0.5", "0.9", "0.95"],
    series: [{ name: "a", points: [0, 1, 2, 3].map((x) => ({ x, y: 50 + x })) }],
  });
  const centres = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
  const gaps = centres.slice(1).map((c, i) => c - centres[i]!);
  assert.ok(gaps.every((g) => Math.abs(g - gaps[0]!) < 0.2), `even spacing: ${gaps}`);
  for (const label of ["0.5", "0.9", "0.95"]) assert.match(svg, new RegExp(`>${label}</text>`));
});
