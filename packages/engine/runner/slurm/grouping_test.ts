import assert from "node:assert/strict";
import type { Resources } from "../../pipeline/resources.ts";
import { groupStages, jobResources } from "./grouping.ts";

function stages(resources: Resources[]) {
  return resources.map((r, i) => ({ id: `s${i}`, resources: r }));
}

function ids(groups: { id: string }[][]): string[][] {
  return groups.map((g) => g.map((s) => s.id));
}

Deno.test("groupStages() gives each stage its own job by default", () => {
  assert.deepEqual(ids(groupStages(stages([{}, {}, { cpus: 2 }]))), [["s0"], ["s1"], ["s2"]]);
});

Deno.test("groupStages() packs up to group_size stages with the same resources", () => {
  const small = { cpus: 1, memMiB: 100, groupSize: 2 };
  const big = { cpus: 4, memMiB: 100, groupSize: 2 };
  assert.deepEqual(ids(groupStages(stages([small, big, small, small, big]))), [
    ["s0", "s2"],
    ["s3"],
    ["s1", "s4"],
  ]);
});

Deno.test("groupStages() fills a group_time by the stages' time limits", () => {
  const at = (timeSeconds: number) => ({ groupSeconds: 600, timeSeconds });
  assert.deepEqual(ids(groupStages(stages([at(300), at(300), at(200), at(700), at(100)]))), [
    ["s0", "s1"],
    ["s2"],
    ["s3"],
    ["s4"],
  ]);
  // Different time limits still share a job: only the sum matters.
  assert.deepEqual(ids(groupStages(stages([at(60), at(120), at(180)]))), [["s0", "s1", "s2"]]);
});

Deno.test("groupStages() gives a stage without a time limit a job of its own under group_time", () => {
  const timed = { groupSeconds: 600, timeSeconds: 60 };
  const untimed = { groupSeconds: 600 };
  assert.deepEqual(ids(groupStages(stages([timed, untimed, timed, timed]))), [
    ["s0"],
    ["s1"],
    ["s2", "s3"],
  ]);
});

Deno.test("groupStages() applies group_size and group_time together", () => {
  const r = { groupSize: 2, groupSeconds: 1000, timeSeconds: 100 };
  assert.deepEqual(ids(groupStages(stages([r, r, r]))), [["s0", "s1"], ["s2"]]);
});

Deno.test("jobResources() sums time limits and drops grouping fields", () => {
  assert.deepEqual(
    jobResources([
      { cpus: 1, timeSeconds: 60, groupSize: 3 },
      { cpus: 1, timeSeconds: 120, groupSize: 3 },
    ]),
    { cpus: 1, timeSeconds: 180 },
  );
  assert.deepEqual(jobResources([{ cpus: 1, timeSeconds: 60 }, { cpus: 1 }]), { cpus: 1 });
});
