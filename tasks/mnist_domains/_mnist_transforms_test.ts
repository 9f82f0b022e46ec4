import assert from "node:assert/strict";
import { Prng } from "@dropline/ml";
import { colorDigit, coloredLabels, coloredName, rotateBilinear } from "./_mnist_transforms.ts";

const size = 28;
const random = (() => {
  const rng = Prng.fromParts(9);
  return Uint8Array.from({ length: size * size }, () => rng.int(256));
})();

Deno.test("rotateBilinear() leaves an image unchanged at 0 and 360 degrees", () => {
  assert.deepEqual(rotateBilinear(random, size, 0), random);
  assert.deepEqual(rotateBilinear(random, size, 360), random);
});

Deno.test("rotateBilinear() turns 90 degrees counter-clockwise exactly", () => {
  const out = rotateBilinear(random, size, 90);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      assert.equal(out[y * size + x], random[x * size + (size - 1 - y)], `(${x}, ${y})`);
    }
  }
});

Deno.test("rotateBilinear() moves a bar right of the centre to above it, filling with 0", () => {
  const bar = new Uint8Array(size * size);
  for (let x = 20; x < 26; x++) bar[13 * size + x] = bar[14 * size + x] = 200;
  const out = rotateBilinear(bar, size, 90);
  for (let y = 2; y < 8; y++) assert.equal(out[y * size + 13], 200, `row ${y}`);
  assert.equal(out[13 * size + 22], 0);
  const tilted = rotateBilinear(bar, size, 45);
  // Up and to the right along the diagonal, blurred by interpolation but still bright.
  assert.ok(tilted[9 * size + 18]! > 100, `${tilted[9 * size + 18]}`);
  assert.equal(tilted.reduce((a, b) => a + b, 0) > 0.8 * bar.reduce((a, b) => a + b, 0), true);
});

Deno.test("coloredLabels() flips labels and colours at the requested rates", () => {
  const n = 40_000;
  const digits = Uint8Array.from({ length: n }, (_, i) => i % 10);
  const { labels, colors } = coloredLabels(digits, 0.1, 0.25, Prng.fromParts(1));
  let flipped = 0;
  let disagree = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== (digits[i]! < 5 ? 1 : 0)) flipped++;
    if (colors[i] !== labels[i]) disagree++;
  }
  assert.ok(Math.abs(flipped / n - 0.25) < 0.01, `label flips ${flipped / n}`);
  assert.ok(Math.abs(disagree / n - 0.1) < 0.01, `colour flips ${disagree / n}`);
});

Deno.test("colorDigit() puts the digit in the colour's channel and subsamples 2x", () => {
  const out = colorDigit(random, size, 1, true);
  assert.equal(out.length, 14 * 14 * 2);
  assert.equal(out[(3 * 14 + 5) * 2 + 1], random[6 * size + 10]);
  assert.equal(out[(3 * 14 + 5) * 2], 0);
  assert.equal(colorDigit(random, size, 0, false)[(6 * size + 10) * 2], random[6 * size + 10]);
  assert.deepEqual([0.1, 0.2, 0.9].map(coloredName), ["+90%", "+80%", "-90%"]);
});
