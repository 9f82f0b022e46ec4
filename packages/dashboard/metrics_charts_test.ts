import assert from "node:assert/strict";
import { chartMetrics, flatZeroMetrics } from "./metrics_charts.ts";

Deno.test("chartMetrics() groups loss, accuracies, lr, dropout and the rest", () => {
  const charts = chartMetrics({
    loss: [[0, 2], [10, 1]],
    "acc/photo": [[0, 0.5], [5, 0.6]],
    "acc/sketch": [[0, 0.4]],
    lr: [[0, 0.1]],
    dropout_rate: [[0, 0.9]],
    grad_norm: [[0, 3]],
  });
  assert.deepEqual(charts.map((c) => c.title), [
    "Loss",
    "Accuracy",
    "Learning rate",
    "Dropout rate",
    "Other",
  ]);
  const accuracy = charts[1]!;
  assert.deepEqual(accuracy.steps, [0, 5]);
  assert.deepEqual(accuracy.series, [
    { name: "acc/photo", values: [0.5, 0.6] },
    { name: "acc/sketch", values: [0.4, null] },
  ]);
});

Deno.test("chartMetrics() draws nothing without metrics", () => {
  assert.deepEqual(chartMetrics({}), []);
});

Deno.test("chartMetrics() leaves out a dropout rate that is 0 at every step", () => {
  const metrics = {
    loss: [[0, 2], [10, 1]] as Array<[number, number]>,
    dropout: [[0, 0], [10, 0]] as Array<[number, number]>,
    "acc/zero_then_up": [[0, 0], [10, 0.5]] as Array<[number, number]>,
  };
  assert.deepEqual(chartMetrics(metrics).map((c) => c.title), ["Loss", "Accuracy"]);
  assert.deepEqual(flatZeroMetrics(metrics), ["dropout"]);
  assert.deepEqual(chartMetrics({ dropout: [[0, 0]] }), []);
});
