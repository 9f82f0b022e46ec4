import assert from "node:assert/strict";
import type { SweepRow } from "./read_sweep.ts";
import { diffSweeps } from "./diff_sweeps.ts";

function row(stage: string, fields: Partial<SweepRow> = {}): SweepRow {
  return {
    stage,
    name: stage.split("[")[0]!,
    task: "train",
    matrix: {},
    params: {},
    metrics: {},
    state: "cached",
    reason: "unchanged",
    durationMs: null,
    producedBy: null,
    outPath: null,
    metricsError: null,
    ...fields,
  };
}

Deno.test("diffSweeps() names changed params and metrics, reruns with their reason, and lone stages", () => {
  const a = [
    row("data"),
    row("train[p=0.5]", { params: { lr: 0.1, decay: { at: [1] } }, metrics: { acc: 0.8 } }),
    row("train[p=0.9]", { params: { lr: 0.1 }, metrics: { acc: 0.7 } }),
    row("old"),
  ];
  const b = [
    row("data"),
    row("train[p=0.5]", {
      params: { lr: 0.2, decay: { at: [1] } },
      metrics: { acc: 0.85 },
      state: "succeeded",
      reason: "params changed: lr",
    }),
    row("train[p=0.9]", { params: { lr: 0.1 }, metrics: { acc: 0.7 }, state: "failed" }),
    row("new", { state: "succeeded", reason: "no previous run" }),
  ];
  const diff = diffSweeps(a, b);
  assert.deepEqual(diff.onlyA, ["old"]);
  assert.deepEqual(diff.onlyB, ["new"]);
  assert.deepEqual(diff.changed, [
    {
      stage: "train[p=0.5]",
      name: "train",
      params: [{ key: "lr", a: 0.1, b: 0.2 }],
      metrics: [{ key: "acc", a: 0.8, b: 0.85 }],
      state: null,
    },
    {
      stage: "train[p=0.9]",
      name: "train",
      params: [],
      metrics: [],
      state: { a: "cached", b: "failed" },
    },
  ]);
  assert.deepEqual(diff.reran, [
    { stage: "train[p=0.5]", state: "succeeded", reason: "params changed: lr" },
    { stage: "train[p=0.9]", state: "failed", reason: "unchanged" },
    { stage: "new", state: "succeeded", reason: "no previous run" },
  ]);
});

Deno.test("diffSweeps() of a run with itself is empty but for its own executions", () => {
  const rows = [row("a", { params: { x: [1, 2] }, metrics: { m: null } })];
  assert.deepEqual(diffSweeps(rows, rows), { onlyA: [], onlyB: [], changed: [], reran: [] });
  // A metric that appears is a change even when the other side has none.
  const diff = diffSweeps(rows, [row("a", { params: { x: [1, 2] }, metrics: { m: null, n: 1 } })]);
  assert.deepEqual(diff.changed[0]!.metrics, [{ key: "n", a: undefined, b: 1 }]);
});
