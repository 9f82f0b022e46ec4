import assert from "node:assert/strict";
import { loadTensorRuntime } from "./runtime.ts";
import { gemmConvCalls } from "./gemm_conv.ts";
import { Gemm, hasRelaxedSimd } from "./_wasm_gemm.ts";

const { tf } = await loadTensorRuntime({ backend: "wasm", log: () => {}, blas: false });
type Tensor = InstanceType<typeof tf.Tensor>;

function values(size: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: size }, () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  });
}

Deno.test("Gemm multiplies with partial row tiles, padded columns and accumulation", () => {
  if (!hasRelaxedSimd()) return;
  const gemm = new Gemm();
  for (const [m, k, n] of [[1, 1, 8], [13, 7, 16], [6, 64, 24], [20, 33, 8]] as const) {
    gemm.reset();
    const a = values(m * k, m + k);
    const b = values(k * n, n);
    const aAt = gemm.alloc((m + 6) * k);
    gemm.view(aAt, m * k).set(a);
    const bAt = gemm.packB(b, k, n);
    const cAt = gemm.alloc(m * n);
    gemm.multiply(aAt, m, k, bAt, n, cAt);
    gemm.multiply(aAt, m, k, bAt, n, cAt, { accumulate: true, kc: 5, panelsOuter: m % 2 === 0 });
    const c = gemm.view(cAt, m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let want = 0;
        for (let q = 0; q < k; q++) want += a[i * k + q]! * b[q * n + j]!;
        assert.ok(Math.abs(c[i * n + j]! - 2 * want) < 1e-4, `[${m}x${k}x${n}] at ${i},${j}`);
      }
    }
  }
});

Deno.test("Conv2D and FusedConv2D on the GEMM path match cpu across strides and paddings", async () => {
  if (!hasRelaxedSimd()) return;
  const cases = [
    { x: [2, 9, 9, 16], w: [3, 3, 16, 8], stride: 1, pad: "same" },
    { x: [3, 10, 7, 16], w: [3, 3, 16, 16], stride: 2, pad: "same" },
    { x: [1, 11, 11, 8], w: [3, 3, 8, 24], stride: 2, pad: "valid" },
    { x: [2, 6, 6, 64], w: [1, 1, 64, 8], stride: 1, pad: "valid" },
  ] as const;
  for (const c of cases) {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(
          values(c.x.reduce((p: number, q: number) => p * q, 1), 1),
          c.x as never,
        );
        const w = tf.tensor4d(
          values(c.w.reduce((p: number, q: number) => p * q, 1), 2),
          c.w as never,
        );
        const bias = tf.tensor1d(values(c.w[3], 3));
        const plain = tf.conv2d(x, w, c.stride, c.pad);
        const fused = tf.fused.conv2d({
          x,
          filter: w,
          strides: c.stride,
          pad: c.pad,
          bias,
          activation: "relu",
        });
        return [plain, fused].map((t: Tensor) => t.dataSync());
      });
    await tf.setBackend("cpu");
    const want = run();
    await tf.setBackend("wasm");
    const before = gemmConvCalls();
    const got = run();
    assert.equal(gemmConvCalls() - before, 2, `${JSON.stringify(c)} did not take the GEMM path`);
    want.forEach((w, t) => {
      const diff = Math.max(...Array.from(w, (v, i) => Math.abs(v - got[t]![i]!)));
      assert.ok(diff < 1e-4, `${JSON.stringify(c)} output ${t}: max abs difference ${diff}`);
    });
  }
});

Deno.test("Conv2DBackpropFilter on the GEMM path matches cpu across strides and paddings", async () => {
  if (!hasRelaxedSimd()) return;
  const cases = [
    { x: [2, 9, 9, 8], filter: [3, 3, 8, 5], stride: 1, pad: "same" },
    { x: [3, 10, 7, 16], filter: [3, 3, 16, 16], stride: 2, pad: "same" },
    { x: [1, 11, 11, 8], filter: [3, 3, 8, 24], stride: 2, pad: "valid" },
    { x: [2, 6, 6, 64], filter: [1, 1, 64, 7], stride: 1, pad: "valid" },
  ] as const;
  for (const c of cases) {
    const outSize = (n: number, k: number) =>
      c.pad === "same" ? Math.ceil(n / c.stride) : Math.ceil((n - k + 1) / c.stride);
    const dyShape = [
      c.x[0],
      outSize(c.x[1], c.filter[0]),
      outSize(c.x[2], c.filter[1]),
      c.filter[3],
    ];
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(
          values(c.x.reduce((p: number, q: number) => p * q, 1), 4),
          c.x as never,
        );
        const dy = tf.tensor4d(values(dyShape.reduce((p, q) => p * q, 1), 5), dyShape as never);
        const attrs = {
          strides: [c.stride, c.stride],
          pad: c.pad,
          dataFormat: "NHWC",
          filterShape: c.filter,
        };
        return (tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, attrs as never) as Tensor)
          .dataSync();
      });
    await tf.setBackend("cpu");
    const want = run();
    await tf.setBackend("wasm");
    const before = gemmConvCalls();
    const got = run();
    assert.equal(gemmConvCalls() - before, 1, `${JSON.stringify(c)} did not take the GEMM path`);
    const diff = Math.max(...Array.from(want, (v, i) => Math.abs(v - got[i]!)));
    assert.ok(diff < 1e-4, `${JSON.stringify(c)}: max abs difference ${diff}`);
  }
});

Deno.test("Conv2DBackpropInput with stride 2 on the GEMM path matches cpu", async () => {
  if (!hasRelaxedSimd()) return;
  const cases = [
    { x: [2, 10, 10, 8], filter: [3, 3, 8, 64], pad: "same" },
    { x: [1, 11, 9, 16], filter: [2, 2, 16, 72], pad: "valid" },
  ] as const;
  for (const c of cases) {
    const outSize = (n: number, k: number) =>
      c.pad === "same" ? Math.ceil(n / 2) : Math.ceil((n - k + 1) / 2);
    const dyShape = [
      c.x[0],
      outSize(c.x[1], c.filter[0]),
      outSize(c.x[2], c.filter[1]),
      c.filter[3],
    ];
    const run = () =>
      tf.tidy(() => {
        const dy = tf.tensor4d(values(dyShape.reduce((p, q) => p * q, 1), 6), dyShape as never);
        const w = tf.tensor4d(
          values(c.filter.reduce((p: number, q: number) => p * q, 1), 7),
          c.filter as never,
        );
        return tf.conv2dTranspose(dy, w, c.x as never, 2, c.pad).dataSync();
      });
    await tf.setBackend("cpu");
    const want = run();
    await tf.setBackend("wasm");
    const before = gemmConvCalls();
    const got = run();
    assert.equal(gemmConvCalls() - before, 1, `${JSON.stringify(c)} did not take the GEMM path`);
    const diff = Math.max(...Array.from(want, (v, i) => Math.abs(v - got[i]!)));
    assert.ok(diff < 1e-4, `${JSON.stringify(c)}: max abs difference ${diff}`);
  }
});
