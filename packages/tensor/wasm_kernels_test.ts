import assert from "node:assert/strict";
import { loadTensorRuntime, type Tf } from "./runtime.ts";

const rt = await loadTensorRuntime({ backend: "wasm", log: () => {}, blas: false });
const tf: Tf = rt.tf;

/** A small seeded generator so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomArray(size: number, next: () => number): Float32Array {
  return Float32Array.from({ length: size }, () => next() * 2 - 1);
}

interface Case {
  kernel: string;
  inputs: Record<string, { shape: number[]; values: Float32Array }>;
  attrs: Record<string, unknown>;
}

/** Runs one kernel on a backend and returns its values and shape. */
async function runOn(backend: string, c: Case): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  const inputs = Object.fromEntries(
    Object.entries(c.inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]),
  );
  const out = tf.engine().runKernel(c.kernel, inputs, c.attrs as never) as InstanceType<
    typeof tf.Tensor
  >;
  const result = { shape: out.shape, values: out.dataSync() as Float32Array };
  tf.dispose([out, ...Object.values(inputs)]);
  return result;
}

async function maxAbsDiffWithCpu(c: Case): Promise<number> {
  const cpu = await runOn("cpu", c);
  const wasm = await runOn("wasm", c);
  assert.deepEqual(wasm.shape, cpu.shape, `${c.kernel} shape`);
  let max = 0;
  for (let i = 0; i < cpu.values.length; i++) {
    max = Math.max(max, Math.abs(cpu.values[i]! - wasm.values[i]!));
  }
  return max;
}

interface Geometry {
  batch: number;
  size: [number, number];
  inC: number;
  outC: number;
  kernel: [number, number];
  stride: number;
  pad: "same" | "valid";
}

/** Random geometries: strides 1 and 2, paddings same and valid, odd and even sizes. */
function geometries(seed: number, count: number): Geometry[] {
  const next = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!;
  const out: Geometry[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      batch: pick([1, 2, 3]),
      size: [pick([5, 6, 7, 8]), pick([5, 7, 9])],
      inC: pick([1, 3, 4, 17]),
      outC: pick([1, 5, 8, 16]),
      kernel: [pick([1, 2, 3]), pick([1, 3])],
      stride: i % 2 === 0 ? 1 : 2,
      pad: i % 4 < 2 ? "same" : "valid",
    });
  }
  return out;
}

function outSize(g: Geometry): [number, number] {
  const dim = (n: number, k: number) =>
    g.pad === "same" ? Math.ceil(n / g.stride) : Math.ceil((n - k + 1) / g.stride);
  return [dim(g.size[0], g.kernel[0]), dim(g.size[1], g.kernel[1])];
}

function describe(g: Geometry): string {
  return JSON.stringify(g);
}

const BOUND = 1e-4;

Deno.test("Conv2DBackpropFilter on wasm matches cpu on random shapes, strides and paddings", async () => {
  const next = rng(1);
  for (const g of geometries(11, 12)) {
    const [oh, ow] = outSize(g);
    const x = { shape: [g.batch, ...g.size, g.inC], values: randomArray(0, next) };
    x.values = randomArray(x.shape.reduce((a, b) => a * b), next);
    const dyShape = [g.batch, oh, ow, g.outC];
    const dy = { shape: dyShape, values: randomArray(dyShape.reduce((a, b) => a * b), next) };
    const filterShape = [...g.kernel, g.inC, g.outC];
    const attrs = { strides: [g.stride, g.stride], pad: g.pad, dataFormat: "NHWC", filterShape };
    const diff = await maxAbsDiffWithCpu({
      kernel: "Conv2DBackpropFilter",
      inputs: { x, dy },
      attrs,
    });
    assert.ok(diff < BOUND, `max abs difference ${diff} for ${describe(g)}`);
  }
});

Deno.test("Conv2DBackpropInput on wasm matches cpu on random shapes, strides and paddings", async () => {
  const next = rng(2);
  for (const g of geometries(12, 12)) {
    const [oh, ow] = outSize(g);
    const inputShape = [g.batch, ...g.size, g.inC];
    const dyShape = [g.batch, oh, ow, g.outC];
    const filterShape = [...g.kernel, g.inC, g.outC];
    const dy = { shape: dyShape, values: randomArray(dyShape.reduce((a, b) => a * b), next) };
    const filter = {
      shape: filterShape,
      values: randomArray(filterShape.reduce((a, b) => a * b), next),
    };
    const attrs = { strides: [g.stride, g.stride], pad: g.pad, dataFormat: "NHWC", inputShape };
    const diff = await maxAbsDiffWithCpu({
      kernel: "Conv2DBackpropInput",
      inputs: { dy, filter },
      attrs,
    });
    assert.ok(diff < BOUND, `max abs difference ${diff} for ${describe(g)}`);
  }
});

Deno.test("DepthwiseConv2dNativeBackpropFilter on wasm matches cpu", async () => {
  const next = rng(3);
  for (const g of geometries(13, 12)) {
    const multiplier = 1 + (g.outC % 3);
    const [oh, ow] = outSize(g);
    const xShape = [g.batch, ...g.size, g.inC];
    const dyShape = [g.batch, oh, ow, g.inC * multiplier];
    const x = { shape: xShape, values: randomArray(xShape.reduce((a, b) => a * b), next) };
    const dy = { shape: dyShape, values: randomArray(dyShape.reduce((a, b) => a * b), next) };
    const filterShape = [...g.kernel, g.inC, multiplier];
    const attrs = { strides: [g.stride, g.stride], pad: g.pad, dilations: [1, 1], filterShape };
    const kernel = "DepthwiseConv2dNativeBackpropFilter";
    const diff = await maxAbsDiffWithCpu({ kernel, inputs: { x, dy }, attrs });
    assert.ok(diff < BOUND, `max abs difference ${diff} for ${describe(g)}`);
  }
});

Deno.test("DepthwiseConv2dNativeBackpropInput on wasm matches cpu", async () => {
  const next = rng(4);
  for (const g of geometries(14, 12)) {
    const multiplier = 1 + (g.outC % 3);
    const [oh, ow] = outSize(g);
    const inputShape = [g.batch, ...g.size, g.inC];
    const dyShape = [g.batch, oh, ow, g.inC * multiplier];
    const filterShape = [...g.kernel, g.inC, multiplier];
    const dy = { shape: dyShape, values: randomArray(dyShape.reduce((a, b) => a * b), next) };
    const filter = {
      shape: filterShape,
      values: randomArray(filterShape.reduce((a, b) => a * b), next),
    };
    const attrs = { strides: [g.stride, g.stride], pad: g.pad, dilations: [1, 1], inputShape };
    const kernel = "DepthwiseConv2dNativeBackpropInput";
    const diff = await maxAbsDiffWithCpu({ kernel, inputs: { dy, filter }, attrs });
    assert.ok(diff < BOUND, `max abs difference ${diff} for ${describe(g)}`);
  }
});

Deno.test("gradients of a strided conv on wasm match cpu through tf.grads", async () => {
  const next = rng(5);
  const xv = randomArray(2 * 9 * 9 * 6, next);
  const wv = randomArray(3 * 3 * 6 * 8, next);
  const grads = async (backend: string) => {
    await tf.setBackend(backend);
    const x = tf.tensor4d(xv, [2, 9, 9, 6]);
    const w = tf.tensor4d(wv, [3, 3, 6, 8]);
    const f = (a: typeof x, b: typeof w) => tf.sum(tf.square(tf.conv2d(a, b, 2, "same")));
    const [dx, dw] = tf.grads(f as never)([x, w]);
    const out = [dx!.dataSync(), dw!.dataSync()] as Float32Array[];
    tf.dispose([x, w, dx!, dw!]);
    return out;
  };
  const cpu = await grads("cpu");
  const wasm = await grads("wasm");
  for (let t = 0; t < 2; t++) {
    const diff = Math.max(...cpu[t]!.map((v, i) => Math.abs(v - wasm[t]![i]!)));
    assert.ok(diff < 1e-3, `gradient ${t} max abs difference ${diff}`);
  }
});
