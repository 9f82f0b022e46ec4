import assert from "node:assert/strict";
import { loadTensorRuntime } from "./runtime.ts";
import { groupNorm, groupNormAffine, groupNormalize } from "./group_norm.ts";

const { tf } = await loadTensorRuntime({ log: () => {} });
type Tensor = InstanceType<typeof tf.Tensor>;

/** Float64 reference with PyTorch's semantics: per example and group, over space and channels. */
function reference(x: Float64Array, shape: number[], groups: number, eps: number): Float64Array {
  const [n, ...rest] = shape;
  const c = rest[rest.length - 1]!;
  const spatial = rest.slice(0, -1).reduce((a, b) => a * b, 1);
  const per = c / groups;
  const y = new Float64Array(x.length);
  for (let i = 0; i < n!; i++) {
    for (let g = 0; g < groups; g++) {
      const at = (s: number, k: number) => (i * spatial + s) * c + g * per + k;
      let sum = 0, sq = 0;
      for (let s = 0; s < spatial; s++) for (let k = 0; k < per; k++) sum += x[at(s, k)]!;
      const mean = sum / (spatial * per);
      for (let s = 0; s < spatial; s++) {
        for (let k = 0; k < per; k++) sq += (x[at(s, k)]! - mean) ** 2;
      }
      const rstd = 1 / Math.sqrt(sq / (spatial * per) + eps);
      for (let s = 0; s < spatial; s++) {
        for (let k = 0; k < per; k++) y[at(s, k)] = (x[at(s, k)]! - mean) * rstd;
      }
    }
  }
  return y;
}

function random(size: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: size }, () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647) * 4 - 2;
  });
}

const SHAPE = [2, 3, 3, 8];
const SIZE = SHAPE.reduce((a, b) => a * b);

Deno.test("groupNormalize() matches a float64 reference of PyTorch's GroupNorm", () => {
  const x = random(SIZE, 7);
  const y = tf.tidy(() =>
    groupNormalize(tf, tf.tensor(Float32Array.from(x), SHAPE), 4, 1e-5).dataSync()
  );
  const want = reference(x, SHAPE, 4, 1e-5);
  const diff = Math.max(...Array.from(y, (v, i) => Math.abs(v - want[i]!)));
  assert.ok(diff < 1e-4, `max abs difference ${diff}`);
});

Deno.test("groupNormalize() has the gradient of finite differences", () => {
  const x = random(SIZE, 11);
  const r = random(SIZE, 13);
  const loss = (v: Float64Array) =>
    reference(v, SHAPE, 4, 1e-5).reduce((s, y, i) => s + y * r[i]!, 0);
  const grad = tf.tidy(() => {
    const weights = tf.tensor(Float32Array.from(r), SHAPE);
    const f = (t: Tensor) => tf.sum(tf.mul(groupNormalize(tf, t, 4, 1e-5), weights));
    return tf.grad(f)(tf.tensor(Float32Array.from(x), SHAPE)).dataSync();
  });
  const h = 1e-4;
  let worst = 0;
  for (let i = 0; i < SIZE; i++) {
    const up = x.slice(), down = x.slice();
    up[i]! += h;
    down[i]! -= h;
    const numeric = (loss(up) - loss(down)) / (2 * h);
    worst = Math.max(worst, Math.abs(numeric - grad[i]!));
  }
  assert.ok(worst < 2e-3, `max abs gradient difference ${worst}`);
});

Deno.test("groupNorm() layer scales and shifts per channel with trainable gamma and beta", () => {
  const layer = groupNorm(tf, { groups: 2 });
  const x = tf.tensor(Float32Array.from(random(SIZE, 3)), SHAPE);
  layer.apply(x);
  layer.setWeights([tf.fill([8], 2), tf.fill([8], 1)]);
  const y = (layer.apply(x) as Tensor).dataSync();
  const want = reference(random(SIZE, 3), SHAPE, 2, 1e-5);
  assert.ok(Math.abs(y[5]! - (2 * want[5]! + 1)) < 1e-4);
  assert.equal(layer.trainableWeights.length, 2);
  assert.throws(
    () => groupNorm(tf, { groups: 3 }).apply(x),
    /cannot split "8" channels into "3" groups/,
  );
});

Deno.test("groupNormAffine() fused kernel matches the op-by-op version with its gradients", async () => {
  const x = Float32Array.from(random(SIZE, 17));
  const gamma = Float32Array.from(random(8, 19));
  const beta = Float32Array.from(random(8, 23));
  const weights = Float32Array.from(random(SIZE, 29));
  const run = (fused: boolean) =>
    tf.tidy(() => {
      const [xt, gt, bt] = [tf.tensor(x, SHAPE), tf.tensor1d(gamma), tf.tensor1d(beta)];
      const w = tf.tensor(weights, SHAPE);
      const f = (a: Tensor, g: Tensor, b: Tensor) =>
        tf.sum(tf.mul(
          fused
            ? groupNormAffine(tf, a, g, b, 4, 1e-5)
            : tf.add(tf.mul(groupNormalize(tf, a, 4, 1e-5), g), b),
          w,
        ));
      const { value, grads } = tf.valueAndGrads(f as never)([xt, gt, bt]);
      return [value.dataSync(), ...grads.map((g) => g.dataSync())];
    });
  for (const backend of ["wasm", "cpu"]) {
    await tf.setBackend(backend);
    const fused = run(true);
    const plain = run(false);
    fused.forEach((values, t) => {
      const diff = Math.max(...Array.from(values, (v, i) => Math.abs(v - plain[t]![i]!)));
      assert.ok(diff < 1e-4, `${backend} output ${t}: max abs difference ${diff}`);
    });
  }
  await tf.setBackend("wasm");
});
