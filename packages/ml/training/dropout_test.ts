import assert from "node:assert/strict";
import { applyDropout } from "./dropout.ts";
import { Prng } from "../prng.ts";

Deno.test("applyDropout() keeps about 1 - p of the units, scaled to preserve the mean", () => {
  const x = new Float32Array(100_000).fill(1);
  applyDropout(x, 0.9, Prng.fromSeed(5));
  const kept = x.filter((v) => v !== 0);
  assert.ok(Math.abs(kept.length / x.length - 0.1) < 0.005, `kept ${kept.length}`);
  assert.ok(kept.every((v) => Math.abs(v - 10) < 1e-5));
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  assert.ok(Math.abs(mean - 1) < 0.05, `mean ${mean}`);
});

Deno.test("applyDropout() draws the same mask from the same generator state", () => {
  const a = applyDropout(new Float32Array(64).fill(1), 0.5, Prng.fromSeed(9));
  const b = applyDropout(new Float32Array(64).fill(1), 0.5, Prng.fromSeed(9));
  assert.deepEqual(a, b);
});

Deno.test("applyDropout() rejects a rate of one", () => {
  assert.throws(() => applyDropout(new Float32Array(2), 1, Prng.fromSeed(0)), RangeError);
});
