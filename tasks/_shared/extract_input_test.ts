import assert from "node:assert/strict";
import { affineOf, channelMap, inputPlan } from "./extract_input.ts";

const unit = { scale: 1 / 255, offset: 0, mean: [0], std: [1] };

Deno.test("channelMap() tiles gray, averages colour to gray, drops alpha, refuses the rest", () => {
  assert.equal(channelMap(3, 3), "same");
  assert.equal(channelMap(1, 3), "tile");
  assert.equal(channelMap(3, 1), "luminance");
  assert.equal(channelMap(4, 1), "luminance");
  assert.equal(channelMap(4, 3), "drop_alpha");
  assert.equal(channelMap(2, 3), null);
  assert.equal(channelMap(3, 2), null);
});

Deno.test("inputPlan() resizes only when the sizes differ", () => {
  const model = { inputSize: [8, 8] as [number, number], channels: 1, preprocessing: unit };
  assert.equal(inputPlan([8, 8, 1], model).resize, "none");
  assert.equal(inputPlan([28, 28, 1], model).resize, "bilinear");
  assert.equal(inputPlan([28, 28, 1], model, "nearest").resize, "nearest");
  assert.deepEqual(inputPlan([28, 28, 3], model).to, [8, 8, 1]);
});

Deno.test("inputPlan() rejects mean or std of the wrong length and unmappable channels", () => {
  const pre = { ...unit, mean: [0.5, 0.5] };
  assert.throws(
    () => inputPlan([8, 8, 3], { inputSize: [8, 8], channels: 3, preprocessing: pre }),
    /mean has 2 values, expected 1 or 3/,
  );
  assert.throws(
    () => inputPlan([8, 8, 2], { inputSize: [8, 8], channels: 3, preprocessing: unit }),
    /Cannot feed 2-channel images to a backbone that expects 3 channels/,
  );
});

Deno.test("affineOf() folds scale, offset, mean and std into one multiply-add per channel", () => {
  const { a, b } = affineOf({ scale: 1 / 255, offset: 0, mean: [0.5, 0.25], std: [0.5, 0.25] }, 2);
  const apply = (v: number, c: number) => v * a[c]! + b[c]!;
  assert.ok(Math.abs(apply(255, 0) - 1) < 1e-12);
  assert.ok(Math.abs(apply(0, 0) + 1) < 1e-12);
  assert.ok(Math.abs(apply(255, 1) - 3) < 1e-12);
  const broadcast = affineOf({ scale: 2 / 255, offset: -1, mean: [0], std: [1] }, 3);
  assert.deepEqual(broadcast.b, [-1, -1, -1]);
});
