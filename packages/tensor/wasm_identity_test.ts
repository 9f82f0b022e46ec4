import assert from "node:assert/strict";
import { loadTensorRuntime } from "./runtime.ts";

const { tf } = await loadTensorRuntime({ backend: "wasm", log: () => {} });

Deno.test("a clone on wasm keeps its values after the original is disposed", () => {
  const before = tf.memory().numBytes;
  const x = tf.tensor1d([1, 2, 3]);
  const y = tf.clone(x);
  x.dispose();
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3]);
  y.dispose();
  assert.equal(tf.memory().numBytes, before, "the shared buffer was not freed");
});

Deno.test("gradients that save their inputs are unchanged by the shared Identity", () => {
  const [a, b] = tf.tidy(() => {
    const x = tf.tensor1d([-1, 0.5, 2]);
    const f = (t: InstanceType<typeof tf.Tensor>) => tf.sum(tf.mul(tf.relu(t), t));
    return [tf.grad(f)(x).dataSync(), f(x).dataSync()];
  });
  assert.deepEqual(Array.from(a!), [0, 1, 4]);
  assert.deepEqual(Array.from(b!), [4.25]);
});
