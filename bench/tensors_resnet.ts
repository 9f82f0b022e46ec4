/**
 * ResNet figures of `deno task bench tensors`: images per second of
 * torchvision's ResNet-18 and ResNet-50 (as the `backbone` task builds them
 * from safetensors, random weights here) at 112 and 224 px, batch 32.
 * `train`: one SGD step (momentum 0.9) through the whole network with
 * BatchNorm statistics frozen, as the paper's recipe fine-tunes; `infer`: a
 * forward pass. Keys are `resnet<depth>_<train|infer>_<px>`.
 *
 * A ResNet-50 step at 224 px takes many seconds on a CPU backend, so these
 * cases time at most 3 batches after one warm-up batch. Training keeps every
 * activation of the batch for the backward pass, and the wasm heap ends at
 * 4 GB: a batch of 32 ResNet-50 images at 224 px does not fit (a batch of 8
 * grows the heap to 3.9 GB; 32 aborts), so large cases accumulate the gradients of
 * micro-batches (`micro_batch` in the figures) and take one step per 32
 * images, as a fine-tuning run on wasm has to.
 *
 * @module
 */
import process from "node:process";
import { resnet, RESNET_ARCHITECTURES, type TensorRuntime } from "@dropline/tensor";

/** What a ResNet measurement needs of the suite's context. */
export interface ResNetBenchContext {
  rt: TensorRuntime;
  /** Timed batches the suite asks for (capped at 3 here). */
  batches: number;
}

type Tf = TensorRuntime["tf"];
type Tensor = InstanceType<Tf["Tensor"]>;

const BATCH = 32;
/**
 * Micro-batches that fit the 4 GB wasm heap. The heap's high-water mark after
 * one training step of 8 images: ResNet-18 at 224 px 1.07 GB, ResNet-50 at
 * 112 px 1.26 GB, at 224 px 3.93 GB.
 */
const MICRO_BATCH: Record<string, number> = { resnet18_224: 16, resnet50_112: 16, resnet50_224: 8 };
const MAX_BATCHES = 3;
const CLASSES = 1000;

/** The ResNet cases, by figure name. */
export const RESNET_MEASUREMENTS: Record<
  string,
  (ctx: ResNetBenchContext) => Promise<Record<string, unknown>>
> = Object.fromEntries(
  (["resnet18", "resnet50"] as const).flatMap((net) =>
    [112, 224].flatMap((px) => [
      [
        `${net}_train_${px}`,
        (ctx: ResNetBenchContext) => Promise.resolve(rate(ctx, net, px, true)),
      ],
      [
        `${net}_infer_${px}`,
        (ctx: ResNetBenchContext) => Promise.resolve(rate(ctx, net, px, false)),
      ],
    ])
  ),
);

function rate(
  ctx: ResNetBenchContext,
  net: "resnet18" | "resnet50",
  px: number,
  train: boolean,
): Record<string, unknown> {
  const { tf } = ctx.rt;
  const model = resnet(tf, RESNET_ARCHITECTURES[net], { inputSize: [px, px] });
  const x = tf.randomNormal([BATCH, px, px, 3]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, CLASSES, "int32") as Tensor, CLASSES);
  const optimizer = tf.train.momentum(1e-3, 0.9);
  const micro = MICRO_BATCH[`${net}_${px}`] ?? BATCH;
  const variables = model.trainableWeights.map((w) => w.read() as InstanceType<Tf["Variable"]>);
  const parts = BATCH / micro;
  const xs = tf.split(x, parts);
  const ys = tf.split(y, parts);
  const trainStep = () => {
    // One optimizer step per BATCH images: the mean of the micro-batches' mean-loss gradients.
    let sum: Record<string, Tensor> = {};
    for (let i = 0; i < parts; i++) {
      const { value, grads } = tf.variableGrads(() => {
        // training=false: BatchNorm uses (and keeps) its running statistics.
        const logits = model.apply(xs[i]!, { training: false }) as Tensor;
        return tf.losses.softmaxCrossEntropy(ys[i]!, logits) as ReturnType<Tf["scalar"]>;
      }, variables);
      value.dataSync();
      const next = Object.fromEntries(
        Object.entries(grads).map(([name, g]) => [name, sum[name] ? tf.add(sum[name]!, g) : g]),
      );
      tf.dispose([value, ...Object.values(sum), ...(i > 0 ? Object.values(grads) : [])]);
      sum = next;
    }
    tf.tidy(() => {
      optimizer.applyGradients(
        Object.fromEntries(Object.entries(sum).map(([name, g]) => [name, tf.div(g, parts)])),
      );
    });
    tf.dispose(Object.values(sum));
  };
  const step = train
    ? trainStep
    : () => tf.tidy(() => void (model.predict(x, { batchSize: BATCH }) as Tensor).dataSync());
  try {
    return { ...timed(ctx, step), ...(train && micro < BATCH ? { micro_batch: micro } : {}) };
  } finally {
    tf.dispose([x, y, ...xs, ...ys]);
    optimizer.dispose();
    model.dispose();
  }
}

function timed(ctx: ResNetBenchContext, step: () => void): Record<string, unknown> {
  const batches = Math.max(1, Math.min(ctx.batches, MAX_BATCHES));
  step();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < batches; i++) step();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const images = batches * BATCH;
  return {
    examples_per_s: round(images / seconds),
    // On a shared machine wall time includes waiting for a core; CPU time does not.
    examples_per_cpu_s: round(images / ((cpu.user + cpu.system) / 1e6)),
    ms_per_batch: Math.round((seconds * 1000) / batches),
    batch: BATCH,
    batches,
  };
}

function round(value: number): number {
  return value < 10 ? Math.round(value * 100) / 100 : Math.round(value * 10) / 10;
}
