import assert from "node:assert/strict";
import { loadTensorRuntime } from "./runtime.ts";

const { tf } = await loadTensorRuntime({ backend: "wasm", log: () => {} });
type Tensor = InstanceType<typeof tf.Tensor>;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function random(shape: number[], next: () => number, offset = -1, scale = 2): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => offset + scale * next()), shape);
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let diff = 0;
  a.forEach((w, t) => w.forEach((v, i) => diff = Math.max(diff, Math.abs(v - b[t]![i]!))));
  return diff;
}

async function on(backend: string, f: () => Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => f().map((t) => t.dataSync() as Float32Array));
}

// Channels 4 and 64 take the SIMD loops on wasm, 3 and 6 the plain ones.
const SHAPES = [[2, 5, 5, 4], [3, 4, 6, 3], [1, 7, 7, 64], [5, 6], [4, 2, 3, 6]];

Deno.test("batch norm gradients with given statistics match the composed formula on wasm and cpu", async () => {
  const next = rng(1);
  for (const shape of SHAPES) {
    const c = shape[shape.length - 1]!;
    const [x, dy] = [random(shape, next), random(shape, next)];
    const [mean, offset, scale] = [random([c], next), random([c], next), random([c], next)];
    const variance = random([c], next, 0.1, 1);
    const fused = () =>
      tf.grads((a: Tensor, s: Tensor, o: Tensor) =>
        tf.sum(tf.mul(tf.batchNorm(a, mean, variance, o, s, 1e-3), dy))
      )([x, scale, offset]);
    const composed = () => {
      const inv = tf.rsqrt(tf.add(variance, 1e-3));
      const axes = shape.slice(0, -1).map((_, i) => i);
      return [
        tf.mul(dy, tf.mul(scale, inv)),
        tf.mul(tf.sum(tf.mul(dy, tf.sub(x, mean)), axes), inv),
        tf.sum(dy, axes),
      ];
    };
    const want = await on("cpu", composed);
    for (const backend of ["wasm", "cpu"]) {
      const diff = maxDiff(want, await on(backend, fused));
      assert.ok(diff < 1e-4, `${backend} ${JSON.stringify(shape)}: max abs difference ${diff}`);
    }
  }
});

Deno.test("batch norm with batch statistics still gets its mean and variance gradients", async () => {
  const next = rng(2);
  const shape = [4, 3, 3, 8];
  const [x, dy, scale, offset] = [
    random(shape, next),
    random(shape, next),
    random([8], next),
    random([8], next),
  ];
  const viaKernel = (a: Tensor) => {
    const { mean, variance } = tf.moments(a, [0, 1, 2]);
    return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, offset, scale, 1e-3), dy));
  };
  const byHand = (a: Tensor) => {
    const { mean, variance } = tf.moments(a, [0, 1, 2]);
    const normed = tf.mul(tf.sub(a, mean), tf.rsqrt(tf.add(variance, 1e-3)));
    return tf.sum(tf.mul(tf.add(tf.mul(normed, scale), offset), dy));
  };
  const want = await on("cpu", () => tf.grads(byHand)([x]));
  for (const backend of ["wasm", "cpu"]) {
    const diff = maxDiff(want, await on(backend, () => tf.grads(viaKernel)([x])));
    assert.ok(diff < 1e-3, `${backend}: max abs difference ${diff}`);
  }
});

Deno.test("ReLU's gradient matches dy where x > 0 on wasm and cpu", async () => {
  const next = rng(3);
  for (const shape of [...SHAPES, [7]]) {
    const x = tf.relu(random(shape, next)); // many exact zeros: the gradient there is 0
    const [y, dy] = [tf.sub(x, random(shape, next, -0.3, 0.6)), random(shape, next)];
    const want = await on("cpu", () => [tf.mul(dy, tf.cast(tf.greater(y, 0), "float32"))]);
    for (const backend of ["wasm", "cpu"]) {
      const got = await on(
        backend,
        () => tf.grads((a: Tensor) => tf.sum(tf.mul(tf.relu(a), dy)))([y]),
      );
      assert.equal(maxDiff(want, got), 0, `${backend} ${JSON.stringify(shape)}`);
    }
  }
});

Deno.test("MaxPoolGrad on wasm matches cpu with ties, strides and paddings", async () => {
  const next = rng(4);
  const cases = [
    { x: [2, 9, 9, 4], size: 3, stride: 2, pad: "same" },
    { x: [1, 8, 8, 3], size: 3, stride: 2, pad: "valid" },
    { x: [2, 7, 6, 8], size: 2, stride: 2, pad: "valid" },
    { x: [1, 6, 6, 5], size: 3, stride: 1, pad: "same" },
  ] as const;
  for (const c of cases) {
    // ReLU'd values: most windows hold several equal zeros, so the tie rule matters.
    const x = tf.relu(random([...c.x], next));
    const f = () =>
      tf.grads((a: Tensor) => {
        const y: Tensor = tf.maxPool(a as never, c.size, c.stride, c.pad);
        return tf.sum(tf.mul(y, tf.reshape(tf.range(1, y.size + 1), y.shape)));
      })([x]);
    const diff = maxDiff(await on("cpu", f), await on("wasm", f));
    assert.equal(diff, 0, `${JSON.stringify(c)}: max abs difference ${diff}`);
  }
});
