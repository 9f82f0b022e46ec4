/**
 * Run by `webgpu_test.ts` in a child process with `--unstable-webgpu`: feature
 * extraction and two SGD steps of two small networks (DomainBed's CNN with group
 * norm; a residual block with frozen batch norm, max pooling and dropout 0)
 * on webgpu and on cpu from the same weights. Prints one JSON line: the worst
 * differences, or `{"skipped": reason}` when no adapter answers.
 */
import { loadTensorRuntime, mnistCnn, type Tf } from "../mod.ts";

type Model = ReturnType<Tf["model"]>;
type Tensor = InstanceType<Tf["Tensor"]>;

const adapter = await navigator.gpu?.requestAdapter();
if (!adapter) {
  console.log(JSON.stringify({ skipped: "no WebGPU adapter" }));
  Deno.exit(0);
}
const rt = await loadTensorRuntime({ backend: "webgpu", log: () => {} });
const { tf } = rt;

function values(size: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: size }, () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  });
}

function residual(): Model {
  const input = tf.input({ shape: [12, 12, 3] });
  const bn = (x: unknown) => {
    const layer = tf.layers.batchNormalization({ epsilon: 1e-5 });
    const call = layer.call.bind(layer);
    layer.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
    return layer.apply(x as never);
  };
  let x = tf.layers.zeroPadding2d({ padding: 1 }).apply(input);
  x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, useBias: false }).apply(x);
  x = tf.layers.activation({ activation: "relu" }).apply(bn(x));
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: "same" }).apply(x);
  let y = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: "same", useBias: false }).apply(x);
  y = bn(y);
  x = tf.layers.activation({ activation: "relu" }).apply(tf.layers.add().apply([x, y] as never));
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  x = tf.layers.dropout({ rate: 0 }).apply(x);
  const out = tf.layers.dense({ units: 4 }).apply(x);
  return tf.model({ inputs: input, outputs: out as never });
}

/**
 * Extracts features and takes two SGD steps; returns everything that came out. Reads are
 * asynchronous: Deno's WebGPU cannot read a GPU buffer synchronously (`dataSync` fails).
 */
async function run(build: () => Model, weights: Float32Array[], shape: number[]) {
  const model = build();
  model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i]!.shape)));
  const x = tf.tensor(values(shape.reduce((a, b) => a * b), 7), shape);
  const classes = model.outputs[0]!.shape[1] as number;
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3].map((i) => i % classes), "int32"), classes);
  const features = model.predict(x) as Tensor;
  const out = [await features.data() as Float32Array];
  const optimizer = tf.train.sgd(0.1);
  for (let step = 0; step < 2; step++) {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as Tensor) as never,
      true,
    )!;
    out.push(await loss.data() as Float32Array);
    loss.dispose();
  }
  for (const w of model.getWeights()) out.push(await w.data() as Float32Array);
  tf.dispose([x, y, features]);
  optimizer.dispose();
  model.dispose();
  return out;
}

const networks = {
  mnist_cnn: {
    build: () =>
      mnistCnn(tf, {
        inputShape: [10, 10, 1],
        classes: 4,
        filters: [8, 8, 8, 8],
        groups: 4,
      }) as unknown as Model,
    shape: [4, 10, 10, 1],
  },
  residual: { build: residual, shape: [4, 12, 12, 3] },
};
const result: Record<string, number | string> = { adapter: adapter.info.description };
for (const [name, { build, shape }] of Object.entries(networks)) {
  await tf.setBackend("cpu");
  const model = build();
  const weights = model.getWeights().map((w: Tensor, i: number) =>
    // Vectors (biases, scales, batch norm statistics) near 1, so variances stay positive.
    values(w.size, 100 + i).map((v) => w.shape.length > 1 ? v * 0.5 : 1 + v * 0.2)
  );
  model.dispose();
  const want = await run(build, weights, shape);
  await tf.setBackend("webgpu");
  const got = await run(build, weights, shape);
  let diff = 0;
  want.forEach((w, t) => w.forEach((v, i) => diff = Math.max(diff, Math.abs(v - got[t]![i]!))));
  if (Deno.env.get("DEBUG")) {
    console.error(name, want.map((w, t) => [w.slice(0, 3), got[t]!.slice(0, 3)]));
  }
  result[name] = diff;
}
console.log(JSON.stringify(result));
