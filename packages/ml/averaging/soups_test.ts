import assert from "node:assert/strict";
import { assertAverageable } from "./averageable.ts";
import { argmaxRows, meanProbabilities } from "./ensemble.ts";
import { greedySoup } from "./greedy_soup.ts";
import { headLogits, initHead } from "../training/dense_head.ts";
import { Prng } from "../prng.ts";
import { uniformSoup } from "./uniform_soup.ts";
import { wiseFt } from "./wise_ft.ts";
import { architectureOf, cloneWeights, maxAbsDifference, type Weights } from "../models/weights.ts";

const spec = { inputDim: 6, hidden: [], classes: 3 };
const randomHead = (seed: number) => initHead(spec, Prng.fromSeed(seed));

Deno.test("uniformSoup() of identical models equals the model", () => {
  const model = initHead({ inputDim: 9, hidden: [5], classes: 4 }, Prng.fromSeed(1));
  const soup = uniformSoup([model, cloneWeights(model), cloneWeights(model)]);
  assert.equal(maxAbsDifference(soup, model), 0);
  assert.equal(architectureOf(soup), architectureOf(model));
});

Deno.test("uniformSoup() averages element-wise", () => {
  const a = [{ name: "w", shape: [2], values: new Float32Array([0, 4]) }];
  const b = [{ name: "w", shape: [2], values: new Float32Array([2, 8]) }];
  assert.deepEqual(Array.from(uniformSoup([a, b])[0]!.values), [1, 6]);
});

Deno.test("wiseFt() at alpha 0 and 1 equals its ends", () => {
  const start = randomHead(1), end = randomHead(2);
  assert.equal(maxAbsDifference(wiseFt(start, end, 0), start), 0);
  assert.equal(maxAbsDifference(wiseFt(start, end, 1), end), 0);
  const mid = wiseFt(start, end, 0.25).at(0)!.values[3]!;
  assert.ok(Math.abs(mid - (0.75 * start[0]!.values[3]! + 0.25 * end[0]!.values[3]!)) < 1e-6);
  assert.throws(() => wiseFt(start, end, 1.5), RangeError);
});

/** Accuracy of a head on fixed random data labelled by a fixed teacher. */
function makeEvaluator(seed: number): (w: Weights) => number {
  const rng = Prng.fromSeed(seed), n = 200;
  const x = Float32Array.from({ length: n * spec.inputDim }, () => rng.normal());
  const labels = argmaxRows(headLogits(randomHead(seed + 1000), x, n), spec.classes);
  return (w) => {
    const pred = argmaxRows(headLogits(w, x, n), spec.classes);
    return pred.filter((p, i) => p === labels[i]).length / n;
  };
}

Deno.test("greedySoup() never lowers the validation accuracy of the best model", async () => {
  for (let trial = 0; trial < 20; trial++) {
    const evaluate = makeEvaluator(trial);
    const candidates = Array.from({ length: 6 }, (_, i) => {
      const weights = randomHead(100 * trial + i);
      return { weights, score: evaluate(weights) };
    });
    const best = Math.max(...candidates.map((c) => c.score));
    for (const strict of [true, false]) {
      const soup = await greedySoup(candidates, evaluate, { strict });
      assert.ok(soup.score >= best, `trial ${trial}: ${soup.score} < ${best}`);
      assert.equal(soup.score, evaluate(soup.weights));
      assert.equal(candidates[soup.ingredients[0]!]!.score, best);
    }
  }
});

Deno.test("greedySoup() with strict acceptance rejects a candidate that only ties", async () => {
  const model = randomHead(3);
  const candidates = [{ weights: model, score: 0.5 }, { weights: cloneWeights(model), score: 0.5 }];
  assert.deepEqual((await greedySoup(candidates, () => 0.5, { strict: true })).ingredients, [0]);
  assert.deepEqual((await greedySoup(candidates, () => 0.5, { strict: false })).ingredients, [
    0,
    1,
  ]);
});

Deno.test("meanProbabilities() averages members and argmaxRows() picks the top class", () => {
  const p = meanProbabilities([
    new Float32Array([1, 0, 0.2, 0.8]),
    new Float32Array([0, 1, 0.4, 0.6]),
  ]);
  assert.deepEqual(Array.from(p, (v) => Math.round(v * 10) / 10), [0.5, 0.5, 0.3, 0.7]);
  assert.deepEqual(Array.from(argmaxRows(p, 2)), [0, 1]);
});

Deno.test("assertAverageable() names ingredients with different architectures or starts", () => {
  const ok = { label: "run-a", architecture: "w:2", start: "aaaa" };
  assertAverageable([ok, { ...ok, label: "run-b" }]);
  assert.throws(
    () => assertAverageable([ok, { ...ok, label: "run-c", architecture: "w:3" }]),
    /"run-a" and "run-c": different architectures/,
  );
  assert.throws(
    () => assertAverageable([ok, { ...ok, label: "run-d", start: "bbbb" }]),
    /"run-a" and "run-d": different starting points/,
  );
});
