/**
 * `deno task bench tensors [--backend auto] [--batches N] [--only name,...] [--profile] [--no-torch]`:
 * training and inference throughput and peak memory of the tensor runtime, side by side with
 * PyTorch.
 *
 * Each entry of {@linkcode MEASUREMENTS} is one figure, measured in a child process of its own
 * (so its peak RSS is its own), then - when Debian's PyTorch is there - PyTorch's counterpart
 * (`bench/_torch.ts`) right after it, and the ratio. `--profile` adds the kernels that took the
 * most time per batch.
 *
 * @module
 */
import process from "node:process";
import { fileURLToPath } from "node:url";
import { loadTensorRuntime, mnistCnn, type TensorRuntime } from "@dropline/tensor";
import { RESNET_MEASUREMENTS } from "./tensors_resnet.ts";
import { torchAvailable, torchFigures } from "./_torch.ts";

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
type Scalar = ReturnType<Tf["scalar"]>;
type Model = ReturnType<Tf["model"]>;

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

interface RateOptions {
  batch?: number;
  classes?: number;
}

async function trainRate(ctx: BenchContext, model: Model, shape: number[], o: RateOptions = {}) {
  const { tf } = ctx.rt;
  const batch = o.batch ?? BATCH;
  const classes = o.classes ?? 10;
  const optimizer = tf.train.momentum(0.01, 0.9);
  const x = tf.randomNormal([batch, ...shape]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, classes, "int32") as Tensor, classes);
  const loss = () => {
    const logits = model.apply(x, { training: true }) as Tensor;
    return tf.losses.softmaxCrossEntropy(y, logits) as Scalar;
  };
  // Reads are awaited (`data()`): webgpu cannot read synchronously in Deno.
  const step = async () => {
    const value = tf.tidy(() => optimizer.minimize(loss, true)!);
    await value.data();
    value.dispose();
  };
  const figures = await timed(ctx, step, batch);
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return figures;
}

async function inferRate(ctx: BenchContext, model: Model, shape: number[], o: RateOptions = {}) {
  const { tf } = ctx.rt;
  const batch = o.batch ?? BATCH;
  const x = tf.randomNormal([batch, ...shape]);
  const step = async () => {
    const out = model.predict(x, { batchSize: batch }) as Tensor;
    await out.data();
    out.dispose();
  };
  const figures = await timed(ctx, step, batch);
  x.dispose();
  model.dispose();
  return figures;
}

/** Warms up, then times `ctx.batches` calls; optionally profiles one more. */
async function timed(ctx: BenchContext, step: () => Promise<void>, batch: number) {
  await step();
  await step();
  const leak = ctx.rt.tf.memory().numTensors;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < ctx.batches; i++) await step();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const figures: Record<string, unknown> = {
    examples_per_s: Math.round((ctx.batches * batch) / seconds),
    // On a shared machine wall time includes waiting for a core; CPU time does not.
    examples_per_cpu_s: Math.round((ctx.batches * batch) / cpuSeconds),
    ms_per_batch: Math.round((seconds * 1000) / ctx.batches),
    batch,
    batches: ctx.batches,
    tensor_growth: ctx.rt.tf.memory().numTensors - leak,
  };
  if (ctx.profile) figures.top_kernels_ms = await topKernels(ctx.rt.tf, step);
  return figures;
}

async function topKernels(tf: Tf, step: () => Promise<void>): Promise<Record<string, number>> {
  const info = await tf.profile(async () => await step());
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

/** Runs the suite (or `--only` some of it), each figure in a child process, and returns them. */
export default async function bench(args: string[]): Promise<Record<string, unknown>> {
  const only = flag(args, "only")?.split(",");
  const key = flag(args, "case");
  if (key) return await measureHere(args, key);
  const unknown = only?.filter((name) => !(name in MEASUREMENTS)) ?? [];
  if (unknown.length) {
    throw new TypeError(
      `Unknown figure "${unknown[0]}": expected one of ${Object.keys(MEASUREMENTS).join(", ")}`,
    );
  }
  const withTorch = !args.includes("--no-torch") && torchAvailable();
  const figures: Record<string, unknown> = { load_average_start: loadAverage() };
  for (const name of Object.keys(MEASUREMENTS)) {
    if (only ? !only.includes(name) : name === "extract_features") continue;
    const ours = await measureInChild(args, name);
    const { backend, resolved, threads, blas, ...figure } = ours;
    Object.assign(figures, { backend, resolved, threads, ...(blas ? { blas } : {}) });
    const torch = withTorch ? await torchFigures(name) : undefined;
    figures[name] = torch ? { ...figure, torch, ...ratios(figure, torch) } : figure;
  }
  figures.load_average_end = loadAverage();
  if (!withTorch) {
    figures.torch =
      "not measured: /usr/bin/python3 with torch and torchvision, and shared/bench/, are needed";
  }
  return figures;
}

function ratios(ours: Record<string, unknown>, torch: Record<string, unknown>) {
  const ratio = (a: unknown, b: unknown) =>
    typeof a === "number" && typeof b === "number" && b > 0
      ? Math.round((a / b) * 100) / 100
      : undefined;
  const rate = ratio(ours.examples_per_s, torch.examples_per_s);
  const rss = ratio(ours.peak_rss_mb, torch.peak_rss_mb);
  return {
    ...(rate !== undefined ? { ratio_to_torch: rate } : {}),
    ...(rss !== undefined ? { rss_ratio_to_torch: rss } : {}),
  };
}

function loadAverage(): number[] {
  return Deno.loadavg().map((v) => Math.round(v * 100) / 100);
}

/** One figure in this process, with the runtime it ran on and this process's peak RSS. */
async function measureHere(args: string[], key: string): Promise<Record<string, unknown>> {
  const backend = flag(args, "backend") ?? "auto";
  const rt = await loadTensorRuntime({ backend: backend as "auto" });
  const ctx: BenchContext = {
    rt,
    batches: Number(flag(args, "batches") ?? 8),
    profile: args.includes("--profile"),
  };
  const figure = await MEASUREMENTS[key]!(ctx);
  return {
    backend: rt.backend,
    resolved: rt.resolved,
    threads: rt.threads,
    ...(rt.blas ? { blas: rt.blas } : {}),
    ...figure,
    peak_rss_mb: peakRssMb(),
  };
}

async function measureInChild(args: string[], key: string): Promise<Record<string, unknown>> {
  const main = fileURLToPath(new URL("./main.ts", import.meta.url));
  const passOn = ["backend", "batches"].flatMap((name) => {
    const value = flag(args, name);
    return value === undefined ? [] : [`--${name}`, value];
  });
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-webgpu",
      main,
      "tensors",
      "--case",
      key,
      ...passOn,
      ...(args.includes("--profile") ? ["--profile"] : []),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
    return { error: lines.find((l) => /error/i.test(l)) ?? lines.pop() ?? `exit code ${out.code}` };
  }
  return (JSON.parse(new TextDecoder().decode(out.stdout)) as { tensors: Record<string, unknown> })
    .tensors;
}

/** This process's peak resident memory in MB (Linux), else its current one. */
function peakRssMb(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1];
    if (kb) return Math.round(Number(kb) / 1024);
  } catch {
    // Not Linux.
  }
  return Math.round(Deno.memoryUsage().rss / 2 ** 20);
}
