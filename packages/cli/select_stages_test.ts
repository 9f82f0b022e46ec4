import assert from "node:assert/strict";
import { compilePipeline, UsageError } from "@dropline/engine";
import { parsePipelineSource } from "@dropline/engine/source";
import { TASKS } from "@dropline/tasks";
import { selectStages, withAncestors } from "./select_stages.ts";

const pipeline = compilePipeline(
  parsePipelineSource(
    "p.yaml",
    `name: p
stages:
  make: { task: shell, with: { run: "true" } }
  sweep: { task: shell, needs: [make], matrix: { seed: [0, 1] }, with: { run: "true" } }
  gather: { task: shell, with: { run: "cat \${{ stages.sweep.out }}" } }
  other: { task: shell, with: { run: "true" } }
`,
  ),
  { tasks: TASKS },
);

Deno.test("selectStages() takes a stage name for all its expansions, or one id", () => {
  assert.deepEqual(
    selectStages(pipeline, ["sweep"], "--only"),
    new Set(["sweep[seed=0]", "sweep[seed=1]"]),
  );
  assert.deepEqual(
    selectStages(pipeline, ["sweep[seed=1]", "make"], "--only"),
    new Set(["sweep[seed=1]", "make"]),
  );
  assert.deepEqual(selectStages(pipeline, [], "--force"), new Set());
});

Deno.test("selectStages() suggests a stage for a typo", () => {
  assert.throws(
    () => selectStages(pipeline, ["gathr"], "--force"),
    (error: Error) =>
      error instanceof UsageError &&
      error.message === '--force: unknown stage "gathr" (did you mean "gather"?)',
  );
});

Deno.test("withAncestors() adds everything the selection needs", () => {
  assert.deepEqual(
    withAncestors(pipeline, new Set(["gather"])),
    new Set(["gather", "sweep[seed=0]", "sweep[seed=1]", "make"]),
  );
  assert.deepEqual(withAncestors(pipeline, new Set(["other"])), new Set(["other"]));
});
