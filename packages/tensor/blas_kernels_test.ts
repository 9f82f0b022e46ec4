import assert from "node:assert/strict";
import { loadTensorRuntime } from "./runtime.ts";
import { blasKernelCalls, setPatchChunk } from "./blas_kernels.ts";
import { nativeBlasStatus } from "./native_blas.ts";

const rt = await loadTensorRuntime({ backend: "wasm", log: () => {} });
const { tf } = rt;
type Tensor = InstanceType<typeof tf.Tensor>;
/** CI installs OpenBLAS and sets CI=true: there the tests must run, not skip. */
const REQUIRED = Deno.env.get("CI") === "true";
const ignore = rt.blas === undefined && !REQUIRED;
if (ignore) console.error(`blas_kernels_test: skipped, ${nativeBlasStatus()}`);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function random(shape: number[], next: () => number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => next() * 2 - 1), shape);
}

/** Runs `f` on cpu and on wasm (counting BLAS calls); returns the worst difference. */
async function compare(f: () => Tensor[]): Promise<{ diff: number; calls: number }> {
  await tf.setBackend("cpu");
  const want = tf.tidy(() => f().map((t) => t.dataSync()));
  await tf.setBackend("wasm");
  const before = blasKernelCalls();
  const got = tf.tidy(() => f().map((t) => t.dataSync()));
  const calls = blasKernelCalls() - before;
  let diff = 0;
  want.forEach((w, t) => w.forEach((v, i) => diff = Math.max(diff, Math.abs(v - got[t]![i]!))));
  return { diff, calls };
}

interface ConvCase {
  x: number[];
  kernel: [number, number];
  outC: number;
  stride: number;
  pad: "same" | "valid" | number[][];
}

/** Random convolutions: 1x1 to 7x7, strides 1-2, same/valid/explicit padding, any channels. */
function convCases(seed: number, count: number): ConvCase[] {
  const next = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const k = pick([1, 1, 3, 3, 5, 7]);
    const pad = i % 3 === 0
      ? "same" as const
      : i % 3 === 1
      ? "valid" as const
      : [[0, 0], [k >> 1, k >> 1], [k >> 1, k >> 1], [0, 0]];
    return {
      x: [pick([1, 2, 3]), pick([7, 8, 9, 12]), pick([7, 10, 11]), pick([1, 3, 4, 8, 17])],
      kernel: [k, pick([1, k])] as [number, number],
      outC: pick([1, 4, 7, 16]),
      stride: pick([1, 2]),
      pad,
    };
  });
}

Deno.test({
  name: "Conv2D, FusedConv2D and both gradients on the BLAS match cpu on random geometries",
  ignore,
}, async () => {
  assert.ok(rt.blas, `no BLAS: ${nativeBlasStatus()}`);
  const next = rng(7);
  // Small chunks: most of these convolutions span several.
  const saved = setPatchChunk({ floats: 200, minRows: 3 });
  try {
    for (const c of convCases(21, 24)) {
      const x = random(c.x, next);
      const w = random([...c.kernel, c.x[3]!, c.outC], next);
      const bias = random([c.outC], next);
      const f = () => {
        const loss = (a: Tensor, b: Tensor) =>
          tf.sum(tf.square(tf.conv2d(a as never, b as never, c.stride, c.pad as "same")));
        const fused = tf.fused.conv2d({
          x: x as never,
          filter: w as never,
          strides: c.stride,
          pad: c.pad as "same",
          bias,
          activation: "relu",
        });
        return [fused, ...tf.grads(loss)([x, w])];
      };
      const { diff, calls } = await compare(f);
      assert.ok(calls >= 3, `${JSON.stringify(c)}: only ${calls} calls took the BLAS`);
      assert.ok(diff < 2e-3, `${JSON.stringify(c)}: max abs difference ${diff}`);
    }
  } finally {
    setPatchChunk(saved);
  }
});

Deno.test({
  name: "matMul on the BLAS matches cpu for transposes, batches, bias and ReLU",
  ignore,
}, async () => {
  const next = rng(8);
  for (const [batch, m, k, n] of [[1, 7, 13, 5], [3, 4, 9, 8], [1, 1, 33, 1]] as const) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const a = random(
        batch === 1 ? (ta ? [k, m] : [m, k]) : [batch, ...(ta ? [k, m] : [m, k])],
        next,
      );
      const b = random(
        batch === 1 ? (tb ? [n, k] : [k, n]) : [batch, ...(tb ? [n, k] : [k, n])],
        next,
      );
      const bias = random([n], next);
      const { diff, calls } = await compare(() => [
        tf.matMul(a, b, ta, tb),
        tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: "relu" }),
      ]);
      assert.equal(calls, 2, `[${batch}, ${m}, ${k}, ${n}] ${ta} ${tb} did not take the BLAS`);
      assert.ok(diff < 1e-5, `[${batch}, ${m}, ${k}, ${n}] ${ta} ${tb}: difference ${diff}`);
    }
  }
});
