import assert from "node:assert/strict";
import { filterRuns, groupRuns, varyingFields } from "./group_runs.ts";

const runs = [
  { test_domains: ["S"], dropout: 0.9, seed: 0 },
  { test_domains: ["S"], dropout: 0, seed: 0 },
  { test_domains: ["P"], dropout: 0.9, seed: 1 },
  { test_domains: ["S"], dropout: 0.9, seed: 1 },
];

Deno.test("groupRuns() partitions by the listed fields in order of appearance", () => {
  const groups = groupRuns(runs, (r) => r, ["test_domains", "dropout"]);
  assert.deepEqual(groups.map((g) => g.id), [
    "test_domains=S,dropout=0.9",
    "test_domains=S,dropout=0",
    "test_domains=P,dropout=0.9",
  ]);
  assert.deepEqual(groups[0]!.items.map((r) => r.seed), [0, 1]);
  assert.deepEqual(groups[2]!.key, { test_domains: "P", dropout: 0.9 });
});

Deno.test("filterRuns() keeps runs matching a value or any of a list", () => {
  assert.equal(filterRuns(runs, (r) => r, { dropout: 0.9 }).length, 3);
  assert.equal(filterRuns(runs, (r) => r, { dropout: [0, 0.5], seed: 0 }).length, 1);
  assert.equal(filterRuns(runs, (r) => r, { test_domains: "P" }).length, 1);
});

Deno.test("varyingFields() lists what tells runs apart", () => {
  assert.deepEqual(varyingFields(runs), ["dropout", "seed", "test_domains"]);
  assert.deepEqual(varyingFields([runs[0]!, runs[0]!]), []);
});
