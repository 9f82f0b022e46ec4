/**
 * `deno task bench tensors [--backend wasm] [--batches N] [--only name,...] [--profile]`:
 * training and inference throughput of the tensor runtime.
 *
 * Each entry of {@linkcode MEASUREMENTS} is one figure; add one by adding a key
 * (the `extract_features` entry delegates to `bench/tensors_extract.ts` once that
 * file exists). `--profile` adds the kernels that took the most time per batch.
 *
 * @module
 */
import process from "node:process";
import { loadTensorRuntime, mnistCnn, type TensorRuntime } from "@dropline/tensor";
import { RESNET_MEASUREMENTS } from "./tensors_resnet.ts";

/** What a measurement receives. */
export interface BenchContext {
  rt: TensorRuntime;
  /** Timed batches (after warm-up batches). */
  batches: number;
  profile: boolean;
}

/** One measurement: returns its figures (rates are examples or images per second). */
export type Measure = (ctx: BenchContext) => Promise<Record<string, unknown>>;

type Tf = TensorRuntime["tf"];
type Tensor = InstanceType<Tf["Tensor"]>;
type Model = ReturnType<Tf["sequential"]>;

const BATCH = 128;

/** The suite, by figure name. */
export const MEASUREMENTS: Record<string, Measure> = {
  mnist_cnn_train: (ctx) => trainRate(ctx, cnn(ctx.rt.tf), [28, 28, 1]),
  mnist_cnn_infer: (ctx) => inferRate(ctx, cnn(ctx.rt.tf), [28, 28, 1]),
  mlp_train: (ctx) => trainRate(ctx, mlp(ctx.rt.tf), [784]),
  mlp_infer: (ctx) => inferRate(ctx, mlp(ctx.rt.tf), [784]),
  extract_features: async (ctx) => {
    const path = new URL("./tensors_extract.ts", import.meta.url);
    try {
      await Deno.stat(path);
    } catch {
      return { skipped: "bench/tensors_extract.ts does not exist yet" };
    }
    const extract = await import(path.href) as { default: Measure };
    return extract.default(ctx);
  },
  // resnet18_train_112, resnet50_infer_224, ...: see bench/tensors_resnet.ts.
  ...RESNET_MEASUREMENTS,
};

/** DomainBed's MNIST CNN as in the PyTorch reference (dropout 0.9 before the head). */
function cnn(tf: Tf): Model {
  return mnistCnn(tf, { inputShape: [28, 28, 1], classes: 10, dropout: 0.9 });
}

/** A dense backbone: 784 -> 1024 -> 1024 -> 512 with ReLU, dense head. */
function mlp(tf: Tf): Model {
  const units = [1024, 1024, 512];
  return tf.sequential({
    layers: [
      ...units.map((n, i) =>
        tf.layers.dense({ units: n, activation: "relu", ...(i === 0 ? { inputShape: [784] } : {}) })
      ),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

async function trainRate(ctx: BenchContext, model: Model, shape: number[]) {
  const { tf } = ctx.rt;
  const optimizer = tf.train.momentum(0.01, 0.9);
  const x = tf.randomNormal([BATCH, ...shape]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32") as Tensor, 10);
  const step = () =>
    tf.tidy(() => {
      const loss = optimizer.minimize(() => {
        const logits = model.apply(x, { training: true }) as Tensor;
        return tf.losses.softmaxCrossEntropy(y, logits) as ReturnType<Tf["scalar"]>;
      }, true)!;
      loss.dataSync();
    });
  const figures = await timed(ctx, step);
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return figures;
}

async function inferRate(ctx: BenchContext, model: Model, shape: number[]) {
  const { tf } = ctx.rt;
  const x = tf.randomNormal([BATCH, ...shape]);
  const step = () =>
    tf.tidy(() => void (model.predict(x, { batchSize: BATCH }) as Tensor).dataSync());
  const figures = await timed(ctx, step);
  x.dispose();
  model.dispose();
  return figures;
}

/** Warms up, then times `ctx.batches` calls; optionally profiles one more. */
async function timed(ctx: BenchContext, step: () => void) {
  step();
  step();
  const leak = ctx.rt.tf.memory().numTensors;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < ctx.batches; i++) step();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const figures: Record<string, unknown> = {
    examples_per_s: Math.round((ctx.batches * BATCH) / seconds),
    // On a shared machine wall time includes waiting for a core; CPU time does not.
    examples_per_cpu_s: Math.round((ctx.batches * BATCH) / cpuSeconds),
    ms_per_batch: Math.round((seconds * 1000) / ctx.batches),
    batch: BATCH,
    batches: ctx.batches,
    tensor_growth: ctx.rt.tf.memory().numTensors - leak,
  };
  if (ctx.profile) figures.top_kernels_ms = await topKernels(ctx.rt.tf, step);
  return figures;
}

async function topKernels(tf: Tf, step: () => void): Promise<Record<string, number>> {
  const info = await tf.profile(() => step());
  const byName = new Map<string, number>();
  for (const k of info.kernels) {
    byName.set(k.name, (byName.get(k.name) ?? 0) + Number(k.kernelTimeMs));
  }
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 12);
  return Object.fromEntries(top.map(([name, ms]) => [name, Math.round(ms)]));
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Runs the suite (or `--only` some of it) and returns the figures. */
export default async function bench(args: string[]): Promise<Record<string, unknown>> {
  const backend = flag(args, "backend") ?? "wasm";
  const rt = await loadTensorRuntime({ backend: backend as "wasm" });
  const only = flag(args, "only")?.split(",");
  const ctx: BenchContext = {
    rt,
    batches: Number(flag(args, "batches") ?? 8),
    profile: args.includes("--profile"),
  };
  const figures: Record<string, unknown> = {
    backend: rt.backend,
    version: rt.version,
    threads: rt.threads,
  };
  for (const [name, measure] of Object.entries(MEASUREMENTS)) {
    if (only && !only.includes(name)) continue;
    figures[name] = await measure(ctx);
  }
  return figures;
}
