import assert from "node:assert/strict";
import { setsOf } from "./run_choice.ts";

Deno.test("setsOf() reads both --set spellings of a run's recorded arguments", () => {
  assert.deepEqual(
    setsOf(["p.yaml", "--set", "params.n=5", "--jobs", "2", "--set=params.m=[1,2]", "--set"]),
    ["params.n=5", "params.m=[1,2]"],
  );
  assert.deepEqual(setsOf(["p.yaml"]), []);
});
