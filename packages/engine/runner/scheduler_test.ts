import assert from "node:assert/strict";
import type { GraphNode } from "../pipeline/graph.ts";
import { Scheduler } from "./scheduler.ts";

// a -> b -> d, a -> c, e independent (topological order).
const nodes: GraphNode[] = [
  { id: "a", upstream: [] },
  { id: "e", upstream: [] },
  { id: "b", upstream: ["a"] },
  { id: "c", upstream: ["a"] },
  { id: "d", upstream: ["b"] },
];

Deno.test("Scheduler hands out ready stages in order within the free slots", () => {
  const s = new Scheduler(nodes, "fail-fast");
  assert.deepEqual(s.take(1), ["a"]);
  assert.deepEqual(s.take(1), [], "one slot, one running");
  assert.deepEqual(s.take(2), ["e"]);
  s.succeed("a");
  assert.deepEqual(s.take(4), ["b", "c"]);
  s.succeed("b");
  s.succeed("c");
  s.succeed("e");
  assert.deepEqual(s.take(4), ["d"]);
  s.succeed("d");
  assert.equal(s.active, false);
  assert.deepEqual(s.skipReasons, new Map());
});

Deno.test("Scheduler waits for every upstream of a stage", () => {
  const s = new Scheduler([
    { id: "x", upstream: [] },
    { id: "y", upstream: [] },
    { id: "z", upstream: ["x", "y"] },
  ], "fail-fast");
  s.take(2);
  s.succeed("x");
  assert.deepEqual(s.take(2), []);
  s.succeed("y");
  assert.deepEqual(s.take(2), ["z"]);
});

Deno.test("Scheduler with fail-fast starts nothing after a failure", () => {
  const s = new Scheduler(nodes, "fail-fast");
  s.take(2); // a, e
  s.fail("a");
  assert.deepEqual(s.take(4), []);
  assert.equal(s.active, true, "e still runs");
  s.succeed("e");
  assert.equal(s.active, false);
  assert.equal(s.skipReasons.get("b"), 'upstream "a" failed');
  assert.equal(s.skipReasons.get("d"), 'upstream "a" failed');
  assert.equal(s.states.get("e"), "done");
});

Deno.test("Scheduler with keep-going skips only the failed stage's descendants", () => {
  const s = new Scheduler(nodes, "keep-going");
  s.take(4); // a, e
  s.succeed("a");
  assert.deepEqual(s.take(4), ["b", "c"]);
  s.fail("b");
  s.succeed("c");
  s.succeed("e");
  assert.deepEqual(s.take(4), []);
  assert.equal(s.active, false);
  assert.deepEqual([...s.skipReasons], [["d", 'upstream "b" failed']]);
  assert.deepEqual(Object.fromEntries(s.states), {
    a: "done",
    e: "done",
    b: "failed",
    c: "done",
    d: "skipped",
  });
});

Deno.test("Scheduler.stop() skips every waiting stage with the reason", () => {
  const s = new Scheduler(nodes, "keep-going");
  s.take(1);
  s.stop("interrupted");
  assert.deepEqual(s.take(4), []);
  assert.deepEqual([...s.skipReasons.keys()].sort(), ["b", "c", "d", "e"]);
  assert.equal(s.skipReasons.get("e"), "interrupted");
});

Deno.test("Scheduler remembers why it stopped, first reason first", () => {
  const s = new Scheduler(nodes, "fail-fast");
  assert.equal(s.stopReason, undefined);
  s.take(2);
  s.fail("a");
  s.fail("e");
  assert.equal(s.stopReason, 'not started: the run stopped after "a" failed');
});
