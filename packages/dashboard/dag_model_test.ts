import assert from "node:assert/strict";
import { buildDagModel, chipLabel } from "./dag_model.ts";
import { layoutDag } from "./dag_layout.ts";
import type { StageBrief } from "@dropline/engine";

function stage(
  id: string,
  needs: string[] = [],
  state: StageBrief["state"] = "pending",
): StageBrief {
  const name = id.replace(/\[.*$/, "");
  return {
    id,
    name,
    seq: 0,
    task: "shell",
    needs,
    state,
    reason: "",
    startedAt: null,
    endedAt: null,
    outPath: null,
  };
}

const STAGES = [
  stage("make", [], "succeeded"),
  stage("sweep[seed=0]", ["make"], "running"),
  stage("sweep[seed=1]", ["make"], "failed"),
  stage("sweep[seed=2]", ["make"], "succeeded"),
  stage("gather", ["sweep[seed=0]", "sweep[seed=1]", "sweep[seed=2]"]),
];

Deno.test("buildDagModel() collapses matrix expansions into one group node", () => {
  const model = buildDagModel(STAGES, new Set());
  assert.deepEqual(model.nodes.map((n) => n.id), ["s:make", "g:sweep", "s:gather"]);
  assert.deepEqual(model.edges, [["s:make", "g:sweep"], ["g:sweep", "s:gather"]]);
  const group = model.nodes[1]!;
  assert.equal(group.state, "failed");
  assert.deepEqual(group.counts, { running: 1, failed: 1, succeeded: 1 });
  assert.equal(group.chips.length, 0);
});

Deno.test("buildDagModel() lists an expanded group's members as chips", () => {
  const model = buildDagModel(STAGES, new Set(["sweep"]));
  const group = model.nodes[1]!;
  assert.deepEqual(group.chips.map((c) => [c.label, c.state]), [
    ["seed=0", "running"],
    ["seed=1", "failed"],
    ["seed=2", "succeeded"],
  ]);
  assert.ok(group.height > buildDagModel(STAGES, new Set()).nodes[1]!.height);
  assert.equal(buildDagModel(STAGES, new Set(["*"])).nodes[1]!.chips.length, 3);
});

Deno.test("chipLabel() keeps the matrix part of an expansion id", () => {
  assert.equal(chipLabel("sweep[seed=0,rate=0.5]", "sweep"), "seed=0,rate=0.5");
  assert.equal(chipLabel("other", "sweep"), "other");
});

Deno.test("layoutDag() places every node left of the nodes that need it", () => {
  const model = buildDagModel(STAGES, new Set());
  const layout = layoutDag(model);
  assert.equal(layout.engine, "dagre");
  const x = (id: string) => layout.positions.get(id)!.x;
  assert.ok(x("s:make") < x("g:sweep") && x("g:sweep") < x("s:gather"));
  assert.equal(layout.edges.length, 2);
});

Deno.test("layoutDag() uses the linear layering for a graph too large for dagre", () => {
  const chain = Array.from(
    { length: 400 },
    (_, i) => stage(`s${i}`, i ? [`s${Math.floor(i / 2)}`] : []),
  );
  const model = buildDagModel(chain, new Set());
  const started = performance.now();
  const layout = layoutDag(model);
  assert.ok(performance.now() - started < 200);
  assert.equal(layout.engine, "layered");
  for (const [from, to] of model.edges) {
    assert.ok(layout.positions.get(from)!.x < layout.positions.get(to)!.x, `${from} -> ${to}`);
  }
});

Deno.test("buildDagModel() wraps a 100-expansion group into rows of squares, not columns", () => {
  const sweep = (name: string, need: string) =>
    Array.from(
      { length: 100 },
      (_, i) => stage(`${name}[method=erm_with_dropout,dropout=0.${i % 10},seed=${i}]`, [need]),
    );
  const stages = [
    stage("make"),
    ...sweep("train", "make"),
    ...sweep("average", "train[method=erm_with_dropout,dropout=0.0,seed=0]"),
    ...sweep("evaluate", "average[method=erm_with_dropout,dropout=0.0,seed=0]"),
  ];
  const model = buildDagModel(stages, new Set(["*"]));
  const group = model.nodes[1]!;
  assert.equal(group.compact, true);
  assert.equal(group.chips.length, 100);
  assert.ok(group.width <= 240, `group width ${group.width}`);
  // Three expanded groups of 100 side by side fit a laptop screen.
  const layout = layoutDag(model);
  assert.ok(layout.width < 1000, `drawing width ${layout.width}`);
  // A small group keeps its labelled chips in one column.
  assert.equal(buildDagModel(STAGES, new Set(["*"])).nodes[1]!.compact, false);
});
