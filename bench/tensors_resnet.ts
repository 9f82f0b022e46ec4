/**
 * ResNet figures of `deno task bench tensors`: images per second of
 * torchvision's ResNet-18 and ResNet-50 (as the `backbone` task builds them
 * from safetensors, random weights here) at 112 and 224 px, batch 32.
 * `train`: one SGD step (momentum 0.9) through the whole network with
 * BatchNorm statistics frozen, as the paper's recipe fine-tunes; `infer`: a
 * forward pass. Keys are `resnet<depth>_<train|infer>_<px>`.
 *
 * A ResNet-50 step at 224 px takes many seconds on a CPU backend, so these
 * cases time at most 3 batches after one warm-up batch.
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
  const step = train
    ? () =>
      tf.tidy(() => {
        const loss = optimizer.minimize(() => {
          // training=false: BatchNorm uses (and keeps) its running statistics.
          const logits = model.apply(x, { training: false }) as Tensor;
          return tf.losses.softmaxCrossEntropy(y, logits) as ReturnType<Tf["scalar"]>;
        }, true)!;
        loss.dataSync();
      })
    : () => tf.tidy(() => void (model.predict(x, { batchSize: BATCH }) as Tensor).dataSync());
  try {
    return timed(ctx, step);
  } finally {
    tf.dispose([x, y]);
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
