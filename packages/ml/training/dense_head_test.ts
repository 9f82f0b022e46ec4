import assert from "node:assert/strict";
import { headGradients, headLogits, headSpecOf, initHead, softmaxRows } from "./dense_head.ts";
import { Prng } from "../prng.ts";

function lossOf(weights: ReturnType<typeof initHead>, x: Float32Array, labels: Int32Array): number {
  return headGradients(weights, x, labels).loss;
}

Deno.test("headGradients() matches finite differences through a hidden layer", () => {
  const rng = Prng.fromSeed(2);
  const weights = initHead({ inputDim: 5, hidden: [4], classes: 3 }, rng);
  for (const w of weights) {
    for (let j = 0; j < w.values.length; j++) w.values[j] = rng.normal() * 0.5;
  }
  const x = Float32Array.from({ length: 15 }, () => rng.normal());
  const labels = new Int32Array([0, 2, 1]);
  const { grads } = headGradients(weights, x, labels);
  const eps = 1e-2;
  for (let t = 0; t < weights.length; t++) {
    for (let j = 0; j < weights[t]!.values.length; j++) {
      const v = weights[t]!.values;
      const saved = v[j]!;
      v[j] = saved + eps;
      const up = lossOf(weights, x, labels);
      v[j] = saved - eps;
      const down = lossOf(weights, x, labels);
      v[j] = saved;
      const numeric = (up - down) / (2 * eps);
      assert.ok(
        Math.abs(numeric - grads[t]![j]!) < 2e-3,
        `${weights[t]!.name}[${j}]: ${numeric} vs ${grads[t]![j]}`,
      );
    }
  }
});

Deno.test("headLogits() computes x W + b for a linear head", () => {
  const weights = [
    { name: "logits/kernel", shape: [2, 2], values: new Float32Array([1, 2, 3, 4]) },
    { name: "logits/bias", shape: [2], values: new Float32Array([0.5, -0.5]) },
  ];
  assert.deepEqual(Array.from(headLogits(weights, new Float32Array([1, 1, 0, 2]), 2)), [
    4.5,
    5.5,
    6.5,
    7.5,
  ]);
  assert.deepEqual(headSpecOf(weights), { inputDim: 2, hidden: [], classes: 2 });
});

Deno.test("softmaxRows() gives rows summing to one without overflow", () => {
  const p = softmaxRows(new Float32Array([1000, 1000, 0, 0, 0, Math.log(2)]), 3);
  assert.ok(Math.abs(p[0]! - 0.5) < 1e-6);
  assert.ok(Math.abs(p[5]! - 0.5) < 1e-6);
});
