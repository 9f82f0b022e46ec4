import assert from "node:assert/strict";
import { assertAverageable } from "./averageable.ts";
import { argmaxRows, meanProbabilities } from "./ensemble.ts";
import { greedySoup } from "./greedy_soup.ts";
import { headLogits, initHead, softmaxRows } from "../training/dense_head.ts";
import { validationScore } from "./validation_score.ts";
import { Prng } from "../prng.ts";
import { uniformSoup } from "./uniform_soup.ts";
import { selectAlpha, wiseFt } from "./wise_ft.ts";
import type { ValidationScore } from "./validation_score.ts";
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

/** Validation score of a head on fixed random data labelled by a fixed teacher. */
function makeEvaluator(seed: number): (w: Weights) => ValidationScore {
  const rng = Prng.fromSeed(seed), n = 200;
  const x = Float32Array.from({ length: n * spec.inputDim }, () => rng.normal());
  const labels = argmaxRows(headLogits(randomHead(seed + 1000), x, n), spec.classes);
  return (w) =>
    validationScore(softmaxRows(headLogits(w, x, n), spec.classes), labels, spec.classes);
}

Deno.test("greedySoup() never lowers the validation accuracy of the best model", async () => {
  for (let trial = 0; trial < 20; trial++) {
    const evaluate = makeEvaluator(trial);
    const candidates = Array.from({ length: 6 }, (_, i) => {
      const weights = randomHead(100 * trial + i);
      return { label: `run-${i}`, weights, score: evaluate(weights) };
    });
    const best = Math.max(...candidates.map((c) => c.score.acc));
    for (const strict of [true, false]) {
      const soup = await greedySoup(candidates, evaluate, { strict });
      assert.ok(soup.score.acc >= best, `trial ${trial}: ${soup.score.acc} < ${best}`);
      assert.deepEqual(soup.score, evaluate(soup.weights));
      assert.equal(candidates[soup.ingredients[0]!]!.score.acc, best);
      const accepted = soup.trace.filter((t) => t.accepted).map((t) => t.score.acc);
      accepted.forEach((acc, i) => assert.ok(i === 0 || acc >= accepted[i - 1]!));
    }
  }
});

Deno.test("greedySoup() with strict acceptance rejects a candidate that only ties", async () => {
  const model = randomHead(3);
  const score = { acc: 0.5, nll: 1 };
  const candidates = [
    { label: "a", weights: model, score },
    { label: "b", weights: cloneWeights(model), score },
  ];
  assert.deepEqual((await greedySoup(candidates, () => score, { strict: true })).ingredients, [0]);
  assert.deepEqual((await greedySoup(candidates, () => score, { strict: false })).ingredients, [
    0,
    1,
  ]);
});

Deno.test("greedySoup() ranks ties in accuracy by cross-entropy, then by label, not by list order", async () => {
  const [a, b, c] = [randomHead(1), randomHead(2), randomHead(3)];
  const candidates = [
    { label: "z", weights: a, score: { acc: 0.8, nll: 0.5 } },
    { label: "y", weights: b, score: { acc: 0.8, nll: 0.4 } },
    { label: "x", weights: c, score: { acc: 0.8, nll: 0.5 } },
  ];
  const soup = await greedySoup(candidates, () => ({ acc: 0.8, nll: 0 }));
  assert.deepEqual(soup.ingredients, [1, 2, 0]);
  const reversed = await greedySoup([...candidates].reverse(), () => ({ acc: 0.8, nll: 0 }));
  assert.deepEqual(reversed.ingredients.map((i) => [...candidates].reverse()[i]!.label), [
    "y",
    "x",
    "z",
  ]);
});

Deno.test("selectAlpha() picks the best validation score; full ties go to the larger alpha", () => {
  const s = (acc: number, nll: number) => ({ acc, nll });
  assert.equal(
    selectAlpha([{ alpha: 0, score: s(0.7, 1) }, { alpha: 0.5, score: s(0.9, 1) }, {
      alpha: 1,
      score: s(0.8, 1),
    }]),
    0.5,
  );
  assert.equal(
    selectAlpha([{ alpha: 0.4, score: s(0.9, 0.3) }, { alpha: 0.6, score: s(0.9, 0.2) }]),
    0.6,
  );
  assert.equal(
    selectAlpha([{ alpha: 0.6, score: s(0.9, 0.2) }, { alpha: 0.4, score: s(0.9, 0.2) }]),
    0.6,
  );
  assert.equal(
    selectAlpha([{ alpha: 0.7, score: s(0.9, 0.2) }, { alpha: 0.2, score: s(0.9, 0.1) }]),
    0.2,
  );
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
