import assert from "node:assert/strict";
import { resolveStageReference, type StageExpansions } from "./stage_reference.ts";

const expansions: StageExpansions = new Map([
  ["make", [{}]],
  ["train", [{ seed: 0, rate: 0.5 }, { seed: 0, rate: 0.9 }, { seed: 1, rate: 0.5 }]],
]);

Deno.test("resolveStageReference() gives a plain stage as one path", () => {
  assert.deepEqual(resolveStageReference(expansions, "make", { seed: 0 }), {
    ids: ["make"],
    list: false,
  });
});

Deno.test("resolveStageReference() matches matrix expansions on shared keys", () => {
  assert.deepEqual(resolveStageReference(expansions, "train", { seed: 1, rate: 0.5, x: 3 }), {
    ids: ["train[seed=1,rate=0.5]"],
    list: false,
  });
});

Deno.test("resolveStageReference() gives a list when the target has more axes", () => {
  assert.deepEqual(resolveStageReference(expansions, "train", { seed: 0 }), {
    ids: ["train[seed=0,rate=0.5]", "train[seed=0,rate=0.9]"],
    list: true,
  });
  assert.deepEqual(resolveStageReference(expansions, "train", {}), {
    ids: ["train[seed=0,rate=0.5]", "train[seed=0,rate=0.9]", "train[seed=1,rate=0.5]"],
    list: true,
  });
});

Deno.test("resolveStageReference() explains a reference that matches nothing", () => {
  assert.deepEqual(resolveStageReference(expansions, "train", { seed: 1, rate: 0.9 }), {
    error: 'No expansion of stage "train" matches seed=1,rate=0.9',
  });
  assert.deepEqual(resolveStageReference(expansions, "trian", {}), {
    error: 'Unknown stage "trian" (did you mean "train"?)',
  });
});
