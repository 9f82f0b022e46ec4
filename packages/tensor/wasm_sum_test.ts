import assert from "node:assert/strict";
import { loadTensorRuntime } from "./runtime.ts";

const { tf } = await loadTensorRuntime({ backend: "wasm", log: () => {} });

Deno.test("sum over leading axes on wasm matches cpu, with and without keepDims", async () => {
  const values = Float32Array.from({ length: 3 * 4 * 5 * 6 }, (_, i) => Math.sin(i));
  const run = () =>
    tf.tidy(() => {
      const x = tf.tensor4d(values, [3, 4, 5, 6]);
      return [
        tf.sum(x, [0, 1, 2]),
        tf.sum(x, [2, 0, 1], true),
        tf.sum(tf.reshape(x, [60, 6]), 0),
        tf.sum(x, [1, 2]),
        tf.sum(x),
      ].map((t) => ({ shape: t.shape, data: t.dataSync() }));
    });
  await tf.setBackend("cpu");
  const want = run();
  await tf.setBackend("wasm");
  const got = run();
  want.forEach((w, i) => {
    assert.deepEqual(got[i]!.shape, w.shape, `case ${i} shape`);
    const diff = Math.max(...Array.from(w.data, (v, j) => Math.abs(v - got[i]!.data[j]!)));
    assert.ok(diff < 1e-4, `case ${i}: max abs difference ${diff}`);
  });
});
