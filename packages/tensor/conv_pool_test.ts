import assert from "node:assert/strict";
import { loadTensorRuntime } from "./runtime.ts";
import { activeConvPool } from "./conv_pool.ts";
import { groupNormAffine } from "./group_norm.ts";

const rt = await loadTensorRuntime({ backend: "wasm", log: () => {}, blas: false });
const { tf } = rt;
type Tensor = InstanceType<typeof tf.Tensor>;
/** On one core there is no worker, so nothing to split. */
const SINGLE_CORE = rt.threads < 2;

function values(shape: number[], seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  });
}

/** Runs `f` on cpu and on wasm, returning the max abs difference and how many calls were split. */
async function compare(f: () => Tensor[]): Promise<{ diff: number; splits: number }> {
  await tf.setBackend("cpu");
  const want = tf.tidy(() => f().map((t) => t.dataSync()));
  await tf.setBackend("wasm");
  const before = activeConvPool()?.jobs ?? 0;
  const got = tf.tidy(() => f().map((t) => t.dataSync()));
  const splits = (activeConvPool()?.jobs ?? 0) - before;
  let diff = 0;
  want.forEach((w, t) => w.forEach((v, i) => diff = Math.max(diff, Math.abs(v - got[t]![i]!))));
  return { diff, splits };
}

const X = [8, 14, 14, 32];
const W = [3, 3, 32, 64];

Deno.test({
  name: "a large Conv2D split across the worker thread equals the cpu backend",
  ignore: SINGLE_CORE,
}, async () => {
  const cases = [[8, 1, "same"], [8, 1, "valid"], [32, 2, "same"]] as const;
  for (const [batch, stride, pad] of cases) {
    const xShape = [batch, 16, 16, 32];
    const wShape = [3, 3, 32, 96];
    const { diff, splits } = await compare(() => [
      tf.conv2d(
        tf.tensor4d(values(xShape, 1), xShape as never),
        tf.tensor4d(values(wShape, 2), wShape as never),
        stride,
        pad,
      ),
    ]);
    assert.equal(splits, 1, `stride ${stride}, pad ${pad}: the call was not split`);
    assert.ok(diff < 1e-4, `max abs difference ${diff} (stride ${stride}, pad ${pad})`);
  }
});

Deno.test(
  { name: "a split FusedConv2D keeps its bias and activation", ignore: SINGLE_CORE },
  async () => {
    const { diff, splits } = await compare(() => [
      tf.fused.conv2d({
        x: tf.tensor4d(values(X, 3), X as never),
        filter: tf.tensor4d(values(W, 4), W as never),
        strides: 1,
        pad: "same",
        bias: tf.tensor1d(values([64], 5)),
        activation: "relu",
      }),
    ]);
    assert.equal(splits, 1);
    assert.ok(diff < 1e-4, `max abs difference ${diff}`);
  },
);

Deno.test({
  name: "conv gradients computed through the worker equal the cpu backend",
  ignore: SINGLE_CORE,
}, async () => {
  const { diff, splits } = await compare(() => {
    const x = tf.tensor4d(values(X, 6), X as never);
    const w = tf.tensor4d(values(W, 7), W as never);
    const loss = (a: Tensor, b: Tensor) =>
      tf.sum(tf.square(tf.conv2d(a as never, b as never, 1, "same")));
    return tf.grads(loss)([x, w]);
  });
  assert.ok(splits >= 2, `only ${splits} calls were split`);
  assert.ok(diff < 1e-2, `max abs difference ${diff}`);
});

Deno.test({
  name: "group norm and its gradients split across the worker equal the cpu backend",
  ignore: SINGLE_CORE,
}, async () => {
  const shape = [8, 32, 32, 128];
  const { diff, splits } = await compare(() => {
    const x = tf.tensor(values(shape, 8), shape);
    const gamma = tf.tensor1d(values([128], 9));
    const beta = tf.tensor1d(values([128], 10));
    const weights = tf.tensor(values(shape, 11), shape);
    const f = (a: Tensor, g: Tensor, b: Tensor) =>
      tf.sum(tf.mul(groupNormAffine(tf, a, g, b, 8, 1e-5), weights));
    const { value, grads } = tf.valueAndGrads(f as never)([x, gamma, beta]);
    return [value, ...grads];
  });
  assert.equal(splits, 2, "forward and gradient should both be split");
  assert.ok(diff < 1e-2, `max abs difference ${diff}`);
});
