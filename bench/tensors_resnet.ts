/**
 * ResNet figures of `deno task bench tensors`: images per second of
 * torchvision's ResNet-18 and ResNet-50 (as the `backbone` task builds them
 * from safetensors, random weights here) at 112 and 224 px, batch 32, shaped
 * as `shared/bench/torch_resnet.py` measures PyTorch: the 1000-way head
 * replaced by dropout 0.9 and a new 7-way dense layer. `train`: one SGD step
 * (momentum 0.9) through the whole network with BatchNorm statistics frozen
 * (scale and shift trained), as the paper's recipe fine-tunes; `infer`: a
 * forward pass. Keys are `resnet<depth>_<train|infer>_<px>`, plus
 * `resnet50_train_224_3x32`: the paper's step of 32 images from each of 3
 * training domains (96 images).
 *
 * A ResNet-50 step at 224 px takes many seconds on a CPU backend, so these
 * cases time at most 3 batches after one warm-up batch. Training keeps every
 * activation of the batch for the backward pass, and the wasm heap ends at
 * 4 GB: a batch of 32 ResNet-50 images at 224 px does not fit (a batch of 8
 * grows the heap to 3.9 GB; 32 aborts), so large cases accumulate the gradients of
 * micro-batches (`micro_batch` in the figures) and take one step per batch, as a
 * fine-tuning run on wasm has to; with frozen statistics that is the same step.
 *
 * @module
 */
import process from "node:process";
import {
  resnet,
  RESNET_ARCHITECTURES,
  RESNET_FEATURES,
  type TensorRuntime,
} from "@dropline/tensor";

/** What a ResNet measurement needs of the suite's context. */
export interface ResNetBenchContext {
  rt: TensorRuntime;
  /** Timed batches the suite asks for (capped at 3 here). */
  batches: number;
}

type Tf = TensorRuntime["tf"];
type Tensor = InstanceType<Tf["Tensor"]>;
type Model = ReturnType<Tf["model"]>;

const BATCH = 32;
/**
 * Micro-batches that fit the 4 GB wasm heap. The heap's high-water mark after
 * one training step of 8 images: ResNet-18 at 224 px 1.07 GB, ResNet-50 at
 * 112 px 1.26 GB, at 224 px 3.93 GB.
 */
const MICRO_BATCH: Record<string, number> = { resnet18_224: 16, resnet50_112: 16, resnet50_224: 8 };
const MAX_BATCHES = 3;
const CLASSES = 7;
const DROPOUT = 0.9;

type Case = (ctx: ResNetBenchContext) => Promise<Record<string, unknown>>;

/** The ResNet cases, by figure name. */
export const RESNET_MEASUREMENTS: Record<string, Case> = {
  ...Object.fromEntries(
    (["resnet18", "resnet50"] as const).flatMap((net) =>
      [112, 224].flatMap((px) => [
        [`${net}_train_${px}`, (ctx: ResNetBenchContext) => rate(ctx, net, px, BATCH, true)],
        [`${net}_infer_${px}`, (ctx: ResNetBenchContext) => rate(ctx, net, px, BATCH, false)],
      ])
    ),
  ),
  resnet50_train_224_3x32: (ctx) => rate(ctx, "resnet50", 224, 3 * BATCH, true),
};

/** The backbone with the new head; BatchNorm layers normalise with their running statistics. */
function network(tf: Tf, net: "resnet18" | "resnet50", px: number): Model {
  const body = resnet(tf, RESNET_ARCHITECTURES[net], { inputSize: [px, px] });
  for (const layer of body.layers) {
    if (layer.getClassName() !== "BatchNormalization") continue;
    const call = layer.call.bind(layer);
    layer.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
  }
  const features = body.getLayer(RESNET_FEATURES).output as ReturnType<Tf["input"]>;
  const dropped = tf.layers.dropout({ rate: DROPOUT }).apply(features);
  const logits = tf.layers.dense({ units: CLASSES }).apply(dropped) as ReturnType<Tf["input"]>;
  return tf.model({ inputs: body.inputs, outputs: logits });
}

async function rate(
  ctx: ResNetBenchContext,
  net: "resnet18" | "resnet50",
  px: number,
  batch: number,
  train: boolean,
): Promise<Record<string, unknown>> {
  const { tf } = ctx.rt;
  const model = network(tf, net, px);
  const x = tf.randomNormal([batch, px, px, 3]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, CLASSES, "int32") as Tensor, CLASSES);
  const optimizer = tf.train.momentum(1e-3, 0.9);
  const micro = Math.min(batch, MICRO_BATCH[`${net}_${px}`] ?? batch);
  const variables = model.trainableWeights.map((w) => w.read() as InstanceType<Tf["Variable"]>);
  const parts = batch / micro;
  const xs = tf.split(x, parts);
  const ys = tf.split(y, parts);
  // Reads are awaited (`data()`): webgpu cannot read synchronously in Deno.
  const trainStep = async () => {
    // One optimizer step per batch: the sum of the micro-batches' share of the mean loss.
    let sum: Record<string, Tensor> = {};
    for (let i = 0; i < parts; i++) {
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.apply(xs[i]!, { training: true }) as Tensor;
        const loss = tf.losses.softmaxCrossEntropy(ys[i]!, logits);
        return tf.div(loss, parts) as ReturnType<Tf["scalar"]>;
      }, variables);
      await value.data();
      const next = Object.fromEntries(
        Object.entries(grads).map(([name, g]) => [name, sum[name] ? tf.add(sum[name]!, g) : g]),
      );
      tf.dispose([value, ...Object.values(sum), ...(i > 0 ? Object.values(grads) : [])]);
      sum = next;
    }
    optimizer.applyGradients(sum as Parameters<typeof optimizer.applyGradients>[0]);
    tf.dispose(Object.values(sum));
  };
  const inferStep = async () => {
    const out = model.predict(x, { batchSize: batch }) as Tensor;
    await out.data();
    out.dispose();
  };
  try {
    const figures = await timed(ctx, train ? trainStep : inferStep, batch);
    return { ...figures, ...(train && micro < batch ? { micro_batch: micro } : {}) };
  } finally {
    tf.dispose([x, y, ...xs, ...ys]);
    optimizer.dispose();
    model.dispose();
  }
}

async function timed(ctx: ResNetBenchContext, step: () => Promise<void>, batch: number) {
  const batches = Math.max(1, Math.min(ctx.batches, MAX_BATCHES, batch > BATCH ? 1 : 3));
  await step();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < batches; i++) await step();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const images = batches * batch;
  return {
    examples_per_s: round(images / seconds),
    // On a shared machine wall time includes waiting for a core; CPU time does not.
    examples_per_cpu_s: round(images / ((cpu.user + cpu.system) / 1e6)),
    ms_per_batch: Math.round((seconds * 1000) / batches),
    batch,
    batches,
  };
}

function round(value: number): number {
  return value < 10 ? Math.round(value * 100) / 100 : Math.round(value * 10) / 10;
}
