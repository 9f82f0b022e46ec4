import assert from "node:assert/strict";
import { niceTicks, tickLabels } from "./static/ticks.js";

Deno.test("tickLabels() gives a learning-rate axis enough decimals to tell ticks apart", () => {
  // uPlot's default labels read "0.003, 0.002, 0.002, 0.001, 0.001, 0" here.
  const labels = tickLabels([0.0025, 0.002, 0.0015, 0.001, 0.0005, 0]);
  assert.deepEqual(labels, ["0.0025", "0.0020", "0.0015", "0.0010", "0.0005", "0.0000"]);
  assert.equal(new Set(labels).size, labels.length);
});

Deno.test("tickLabels() drops float noise and keeps whole numbers whole", () => {
  assert.deepEqual(tickLabels([0, 0.1, 0.2, 0.1 * 3]), ["0.0", "0.1", "0.2", "0.3"]);
  assert.deepEqual(tickLabels([0, 0.25, 0.5]), ["0.00", "0.25", "0.50"]);
  assert.deepEqual(tickLabels([0, 500, 1000]), ["0", "500", "1000"]);
  assert.deepEqual(tickLabels([-0.0001, 0.1], 0.1), ["0.0", "0.1"]);
});

Deno.test("tickLabels() writes very small and very large scales with exponents", () => {
  assert.deepEqual(tickLabels([0, 2e-5, 4e-5]), ["0", "2e-5", "4e-5"]);
  assert.deepEqual(tickLabels([1e-5, 1.5e-5]), ["1.0e-5", "1.5e-5"]);
  assert.deepEqual(tickLabels([1e6, 2e6]), ["1e6", "2e6"]);
});

Deno.test("niceTicks() covers the range with round steps", () => {
  assert.deepEqual(niceTicks(0.51, 0.93, 5), { values: [0.6, 0.7, 0.8, 0.9], step: 0.1 });
  assert.deepEqual(niceTicks(0, 0.0025, 5).values, [0, 0.0005, 0.001, 0.0015, 0.002, 0.0025]);
  assert.deepEqual(niceTicks(3, 3, 4).values, [2.8, 3, 3.2]);
  assert.deepEqual(niceTicks(0, Infinity).values, []);
});
