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

Deno.test("Scheduler hands out each ready stage once, in topological order", () => {
  const s = new Scheduler(nodes, "fail-fast");
  assert.deepEqual(s.take(), ["a", "e"]);
  assert.deepEqual(s.take(), [], "already handed out");
  assert.equal(s.running, 2);
  s.succeed("a");
  assert.deepEqual(s.take(), ["b", "c"]);
  s.succeed("b");
  s.succeed("c");
  s.succeed("e");
  assert.deepEqual(s.take(), ["d"]);
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
  s.take();
  s.succeed("x");
  assert.deepEqual(s.take(), []);
  s.succeed("y");
  assert.deepEqual(s.take(), ["z"]);
});

Deno.test("Scheduler with fail-fast starts nothing after a failure", () => {
  const s = new Scheduler(nodes, "fail-fast");
  s.take(); // a, e
  s.fail("a");
  assert.deepEqual(s.take(), []);
  assert.equal(s.active, true, "e still runs");
  s.succeed("e");
  assert.equal(s.active, false);
  assert.equal(s.skipReasons.get("b"), 'upstream "a" failed');
  assert.equal(s.skipReasons.get("d"), 'upstream "a" failed');
  assert.equal(s.states.get("e"), "done");
});

Deno.test("Scheduler with keep-going skips only the failed stage's descendants", () => {
  const s = new Scheduler(nodes, "keep-going");
  s.take(); // a, e
  s.succeed("a");
  assert.deepEqual(s.take(), ["b", "c"]);
  s.fail("b");
  s.succeed("c");
  s.succeed("e");
  assert.deepEqual(s.take(), []);
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
  s.take(); // a, e
  s.succeed("a"); // b, c ready but not handed out
  s.stop("interrupted");
  assert.deepEqual(s.take(), []);
  assert.deepEqual([...s.skipReasons.keys()].sort(), ["b", "c", "d"]);
  assert.equal(s.skipReasons.get("b"), "interrupted");
  assert.equal(s.states.get("e"), "running", "a stage already started is left to finish");
});

Deno.test("Scheduler remembers why it stopped, first reason first", () => {
  const s = new Scheduler(nodes, "fail-fast");
  assert.equal(s.stopReason, undefined);
  s.take();
  s.fail("a");
  s.fail("e");
  assert.equal(s.stopReason, 'not started: the run stopped after "a" failed');
});
