import assert from "node:assert/strict";
import { learningRate } from "./lr_schedule.ts";

Deno.test("learningRate() multiplies by the factor at each milestone", () => {
  const schedule = { lr: 1e-3, at: [50, 80], factor: 0.1 };
  assert.equal(learningRate(schedule, 0), 1e-3);
  assert.equal(learningRate(schedule, 49), 1e-3);
  assert.ok(Math.abs(learningRate(schedule, 50) - 1e-4) < 1e-15);
  assert.ok(Math.abs(learningRate(schedule, 99) - 1e-5) < 1e-15);
});

Deno.test("learningRate() stays constant without milestones", () => {
  assert.equal(learningRate({ lr: 0.01 }, 12345), 0.01);
});
