import assert from "node:assert/strict";
import { gridRows, sweepRow } from "./_sweep_rows.ts";
import { diffRuns } from "./run_diff.ts";

Deno.test("diffRuns() groups a parameter change across the stages it touched", () => {
  const a = gridRows().map((row) => ({ ...row, state: "succeeded" as const }));
  const b = gridRows().map((row) => ({
    ...row,
    params: { ...row.params, lr: row.matrix.method === "soup" ? 0.02 : 0.01 },
    state: row.matrix.method === "soup" ? "succeeded" as const : "cached" as const,
    reason: row.matrix.method === "soup" ? 'param "lr" changed: 0.01 -> 0.02' : "cached",
  }));
  const diff = diffRuns(a, b);
  assert.deepEqual(diff.params.map((c) => [c.param, c.a, c.b, c.stages.length]), [
    ["lr", "0.01", "0.02", 6],
  ]);
  assert.deepEqual(diff.reran.map((r) => r.stage), b.slice(6).map((r) => r.stage));
  assert.equal(diff.reran[0]!.reason, 'param "lr" changed: 0.01 -> 0.02');
  assert.equal(diff.common, 12);
});

Deno.test("diffRuns() lists headline metrics that differ and stages only one run has", () => {
  const a = [
    sweepRow("train[seed=0]", { seed: 0 }, { metrics: { test_acc: 0.7, val_acc: 0.8 } }),
    sweepRow("old", {}),
  ];
  const b = [
    sweepRow("train[seed=0]", { seed: 0 }, { metrics: { test_acc: 0.75, val_acc: 0.8 } }),
    sweepRow("new", {}, { state: "cached" }),
  ];
  const diff = diffRuns(a, b);
  assert.deepEqual(diff.metrics, [{ stage: "train[seed=0]", metric: "test_acc", a: 0.7, b: 0.75 }]);
  assert.deepEqual(diff.onlyA, ["old"]);
  assert.deepEqual(diff.onlyB, ["new"]);
  assert.deepEqual(diff.params, []);
});
