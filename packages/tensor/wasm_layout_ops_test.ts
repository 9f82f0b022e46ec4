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

async function worst(f: () => Tensor): Promise<number> {
  await tf.setBackend("cpu");
  const want = tf.tidy(() => f().dataSync()) as Float32Array;
  await tf.setBackend("wasm");
  const got = tf.tidy(() => f().dataSync()) as Float32Array;
  assert.equal(got.length, want.length);
  return want.reduce((m: number, v: number, i: number) => Math.max(m, Math.abs(v - got[i]!)), 0);
}

Deno.test("Slice and PadV2 on wasm equal cpu for random shapes, offsets and paddings", async () => {
  const next = rng(5);
  const int = (n: number) => Math.floor(next() * n);
  for (let i = 0; i < 40; i++) {
    const rank = 1 + (i % 4);
    const shape = Array.from({ length: rank }, () => 1 + int(6));
    const values = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => next());
    const begin = shape.map((n) => int(n));
    const size = shape.map((n, d) => (i % 3 === 0 && d === 0 ? -1 : 1 + int(n - begin[d]!)));
    const paddings = shape.map(() => [int(3), int(3)] as [number, number]);
    const x = () => tf.tensor(values, shape);
    assert.equal(
      await worst(() => tf.slice(x(), begin, size)),
      0,
      `slice ${shape} ${begin} ${size}`,
    );
    assert.equal(await worst(() => tf.pad(x(), paddings, i % 2)), 0, `pad ${shape} ${paddings}`);
  }
});

Deno.test("FusedBatchNorm on wasm matches cpu with and without scale and offset", async () => {
  const next = rng(6);
  const vec = (n: number, base: number) =>
    tf.tensor1d(Float32Array.from({ length: n }, () => base + next()));
  for (const shape of [[2, 3, 3, 8], [5, 4], [1, 2, 2, 6]]) {
    const c = shape[shape.length - 1]!;
    const x = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => next() * 4 - 2);
    const [mean, variance, offset, scale] = [vec(c, -0.5), vec(c, 0.1), vec(c, -0.5), vec(c, 0.5)];
    for (const [o, s] of [[offset, scale], [undefined, undefined]]) {
      const diff = await worst(() => tf.batchNorm(tf.tensor(x, shape), mean, variance, o, s, 1e-3));
      assert.ok(diff < 1e-5, `${shape}: max abs difference ${diff}`);
    }
  }
});
