import assert from "node:assert/strict";
import { loadTensorRuntime } from "./runtime.ts";

const { tf } = await loadTensorRuntime({ backend: "wasm", log: () => {}, blas: false });

function values(size: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: size }, () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  });
}

Deno.test("transposed matMul and fused matMul on wasm match cpu for every transpose combination", async () => {
  const [m, k, n] = [7, 13, 5];
  const run = (ta: boolean, tb: boolean) =>
    tf.tidy(() => {
      const a = tf.tensor(values(m * k, 1), ta ? [k, m] : [m, k]);
      const b = tf.tensor(values(k * n, 2), tb ? [n, k] : [k, n]);
      const bias = tf.tensor1d(values(n, 3));
      const plain = tf.matMul(a, b, ta, tb).dataSync();
      const fused = tf.fused.matMul({
        a,
        b,
        transposeA: ta,
        transposeB: tb,
        bias,
        activation: "relu",
      });
      const batched = tf.matMul(tf.expandDims(a), tf.expandDims(b), ta, tb).dataSync();
      return [plain, fused.dataSync(), batched];
    });
  for (const [ta, tb] of [[false, true], [true, false], [true, true], [false, false]]) {
    await tf.setBackend("cpu");
    const want = run(ta!, tb!);
    await tf.setBackend("wasm");
    const got = run(ta!, tb!);
    want.forEach((w, t) => {
      const diff = Math.max(...Array.from(w, (v, i) => Math.abs(v - got[t]![i]!)));
      assert.ok(diff < 1e-5, `transposeA ${ta} transposeB ${tb} output ${t}: difference ${diff}`);
    });
  }
});
