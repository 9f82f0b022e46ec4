import assert from "node:assert/strict";
import { loadTensorRuntime } from "./runtime.ts";
import { MNIST_CNN_FEATURES, mnistCnn } from "./mnist_cnn.ts";

const { tf } = await loadTensorRuntime({ log: () => {} });
type Tensor = InstanceType<typeof tf.Tensor>;

Deno.test("mnistCnn() has DomainBed's architecture and parameter count", () => {
  const model = mnistCnn(tf, { inputShape: [28, 28, 1], classes: 10 });
  // PyTorch's MNIST_CNN featurizer + Linear(128, 10) has 371,850 parameters.
  assert.equal(model.countParams(), 371_850);
  assert.deepEqual(model.getLayer(MNIST_CNN_FEATURES).outputShape, [null, 128]);
  assert.deepEqual(model.getLayer("conv2").outputShape, [null, 14, 14, 128]);
  assert.deepEqual(model.outputShape, [null, 10]);
  model.dispose();
});

/** A tiny separable task: the class is whether the top half is brighter than the bottom. */
function batch(size: number, seed: number): { x: Tensor; y: Tensor } {
  return tf.tidy(() => {
    const labels = Array.from({ length: size }, (_, i) => (i + seed) % 2);
    const images = labels.map((label) => {
      const top = tf.fill([6, 12, 1], label ? 1 : 0);
      const bottom = tf.fill([6, 12, 1], label ? 0 : 1);
      return tf.concat([top, bottom], 0);
    });
    return { x: tf.stack(images), y: tf.oneHot(labels, 2) };
  });
}

Deno.test("mnistCnn() trains on the active backend without leaking tensors per batch", () => {
  const model = mnistCnn(tf, { inputShape: [12, 12, 1], classes: 2, filters: [8, 16, 16, 16] });
  const optimizer = tf.train.adam(0.01);
  const { x, y } = batch(8, 0);
  const step = () =>
    tf.tidy(() => {
      const loss = optimizer.minimize(() => {
        const logits = model.apply(x, { training: true }) as Tensor;
        return tf.losses.softmaxCrossEntropy(y, logits) as ReturnType<typeof tf.scalar>;
      }, true)!;
      return loss.dataSync()[0]!;
    });
  const first = step();
  step(); // optimizer slots are created during the first steps
  const before = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 8; i++) last = step();
  assert.equal(tf.memory().numTensors, before, "tensor count grew across batches");
  assert.ok(last < first * 0.5, `loss went from ${first} to ${last}`);
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
});

Deno.test("model.fit() on mnistCnn() leaves no tensors behind per epoch", async () => {
  const model = mnistCnn(tf, { inputShape: [12, 12, 1], classes: 2, filters: [8, 8, 8, 8] });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
  const { x, y } = batch(16, 1);
  await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  const before = tf.memory().numTensors;
  await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, y]);
  model.dispose();
});
