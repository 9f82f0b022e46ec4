import assert from "node:assert/strict";
import { ancestors, descendants, type GraphNode, topologicalOrder } from "./graph.ts";

const diamond: GraphNode[] = [
  { id: "d", upstream: ["b", "c"] },
  { id: "b", upstream: ["a"] },
  { id: "c", upstream: ["a"] },
  { id: "a", upstream: [] },
  { id: "e", upstream: [] },
];

Deno.test("topologicalOrder() puts upstream first and keeps input order on ties", () => {
  assert.deepEqual(topologicalOrder(diamond), { order: ["a", "e", "b", "c", "d"] });
});

Deno.test("topologicalOrder() lists the stages of a cycle", () => {
  const result = topologicalOrder([
    { id: "a", upstream: [] },
    { id: "b", upstream: ["a", "d"] },
    { id: "c", upstream: ["b"] },
    { id: "d", upstream: ["c"] },
    { id: "e", upstream: ["d"] },
  ]);
  assert.ok("cycle" in result);
  const cycle = result.cycle;
  assert.equal(cycle[0], cycle.at(-1), "closed");
  assert.deepEqual(new Set(cycle), new Set(["b", "c", "d"]));
  assert.equal(cycle.length, 4);
});

Deno.test("topologicalOrder() reports a stage that needs itself", () => {
  assert.deepEqual(topologicalOrder([{ id: "a", upstream: ["a"] }]), { cycle: ["a", "a"] });
});

Deno.test("descendants() and ancestors() exclude the roots", () => {
  assert.deepEqual(descendants(diamond, ["b"]), new Set(["d"]));
  assert.deepEqual(descendants(diamond, ["a"]), new Set(["b", "c", "d"]));
  assert.deepEqual(ancestors(diamond, ["d"]), new Set(["a", "b", "c"]));
  assert.deepEqual(ancestors(diamond, ["e"]), new Set());
});
