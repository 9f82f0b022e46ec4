/**
 * `deno task bench finetune`: fine-tuning steps/s of a classifier head over
 * 1,280-d features (MobileNet v2's width), 7 classes, batch 96 (32 from each
 * of 3 training domains), SGD with momentum, at several dropout rates - in
 * dropline's typed-array head maths, and the same step in TF.js (wasm, cpu)
 * for comparison. `--steps N` sets the timed steps per setting.
 *
 * With `--network <resnet18|resnet34|resnet50>` it times the backbone path instead: whole-network
 * fine-tuning with augmentation, reading from disk, and peak memory (see `finetune_network.ts`).
 */
import { headTrainable, initHead, Prng, syntheticFeatures, trainLoop } from "@dropline/ml";

const DIM = 1280, CLASSES = 7, PER_DOMAIN = 32;
const RATES = [0, 0.5, 0.9, 0.95];

function stepsArg(args: string[]): number {
  const i = args.indexOf("--steps");
  return i >= 0 ? Number(args[i + 1]) : 500;
}

export default async function bench(args: string[]): Promise<unknown> {
  if (args.includes("--network")) {
    const { benchNetwork } = await import("./finetune_network.ts");
    return await benchNetwork(args);
  }
  const steps = stepsArg(args);
  const data = syntheticFeatures({
    dimension: DIM,
    classes: CLASSES,
    domains: ["a", "b", "c", "d"],
    perDomain: 500,
    noise: 3,
  });
  const rows = { ...data, domainNames: data.domainNames };
  const roles = { trainDomains: [0, 1, 2], testDomains: [3] };
  const typed: Record<string, number> = {};
  let lastAcc = 0;
  for (const rate of RATES) {
    const trainable = headTrainable(
      initHead({ inputDim: DIM, hidden: [], classes: CLASSES }, Prng.fromSeed(0)),
      rows,
      roles,
    );
    const config = {
      steps,
      evalEvery: steps,
      logEvery: 50,
      batchPerDomain: PER_DOMAIN,
      dropout: rate,
      schedule: { kind: "constant" as const },
      lr: { lr: 1e-3 },
      optimizer: { kind: "sgd" as const, momentum: 0.9, weightDecay: 1e-4 },
      seed: 0,
    };
    const started = performance.now();
    const state = await trainLoop(trainable, config);
    typed[`p=${rate}`] = round(steps / ((performance.now() - started) / 1000));
    lastAcc = state.records.at(-1)!.test_acc!;
  }
  return {
    setup: {
      dimension: DIM,
      classes: CLASSES,
      batch: 3 * PER_DOMAIN,
      steps,
      optimizer: "sgd momentum 0.9",
    },
    typed_array_steps_per_s: typed,
    typed_array_note:
      "includes batch sampling, dropout masks, evaluation at the first and last step",
    test_acc_p095: round(lastAcc),
    tfjs_steps_per_s: await tfjsSteps(data.features, data.labels, Math.min(steps, 200)).catch((
      e,
    ) => ({
      error: String(e),
    })),
  };
}

/** The same head step in TF.js: gather, dropout, dense, softmax cross-entropy, momentum update. */
async function tfjsSteps(
  features: Float32Array,
  labels: Int32Array,
  steps: number,
): Promise<Record<string, number>> {
  const { loadTensorRuntime } = await import("@dropline/tensor");
  const { tf } = await loadTensorRuntime({ backend: "wasm", log: () => {} });
  const out: Record<string, number> = {};
  for (const backend of ["wasm", "cpu"]) {
    await tf.setBackend(backend);
    const x = tf.tensor2d(features, [labels.length, DIM]);
    const y = tf.oneHot(tf.tensor1d(labels, "int32"), CLASSES);
    const kernel = tf.variable(tf.randomNormal([DIM, CLASSES], 0, 0.01));
    const bias = tf.variable(tf.zeros([CLASSES]));
    const optimizer = tf.train.momentum(1e-3, 0.9);
    const rng = Prng.fromSeed(0);
    const run = () =>
      tf.tidy(() => {
        const idx = tf.tensor1d(
          Int32Array.from({ length: 3 * PER_DOMAIN }, () => rng.int(labels.length)),
          "int32",
        );
        const xb = tf.dropout(tf.gather(x, idx), 0.9);
        const yb = tf.gather(y, idx);
        optimizer.minimize(() =>
          tf.losses.softmaxCrossEntropy(yb, tf.add(tf.matMul(xb, kernel), bias)) as never
        );
      });
    for (let i = 0; i < 10; i++) run();
    const started = performance.now();
    for (let i = 0; i < steps; i++) run();
    await kernel.data();
    out[`${backend} p=0.9`] = round(steps / ((performance.now() - started) / 1000));
    tf.dispose([x, y, kernel, bias]);
    optimizer.dispose();
  }
  return out;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
