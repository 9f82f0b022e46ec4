/**
 * `deno task bench finetune --network resnet50 [--px 224] [--per-domain 32] [--micro 16]
 * [--steps 2]`: the backbone path of `finetune` as a pipeline runs it - images read from disk,
 * DomainBed's augmentation, forward and backward through the whole network (BatchNorm
 * statistics frozen), the optimiser in typed arrays - on torchvision's architecture with
 * random weights, 3 training domains. Reports the augmentation's and the disk reads' images/s
 * (one thread, what the training loop does before each step), training images/s after one
 * warm-up step, and the process's peak resident memory.
 *
 * A ResNet-50 step of 96 images at 224 px takes minutes on a CPU backend: keep `--steps` small.
 * Run one configuration per process (peak memory is per process).
 *
 * @module
 */
import { augmentImage, augmentRandom, BackboneInfo, createDatasetWriter, Prng } from "@dropline/ml";
import {
  loadTensorRuntime,
  resnet,
  RESNET_ARCHITECTURES,
  type ResNetArchitecture,
  saveModelToDir,
} from "@dropline/tensor";
import finetune from "../tasks/finetune/mod.ts";
import { openImageSource } from "../tasks/_shared/image_source.ts";
import { peakRssBytes } from "../tasks/_shared/peak_rss.ts";
import { testContext } from "../tasks/_testing/test_context.ts";

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
}

const DOMAINS = ["a", "b", "c", "test"];

export async function benchNetwork(args: string[]): Promise<Record<string, unknown>> {
  const net = arg(args, "network", "resnet50") as ResNetArchitecture;
  const px = Number(arg(args, "px", "224"));
  const perDomain = Number(arg(args, "per-domain", "32"));
  const micro = Number(arg(args, "micro", "0")) || undefined;
  const steps = Number(arg(args, "steps", "2"));
  const root = await Deno.makeTempDir({ prefix: "dropline-bench-" });
  try {
    const dataset = await writeImages(`${root}/data`, px, 3 * perDomain);
    const backbone = await writeResNet(`${root}/backbone`, net, px);
    return {
      setup: { network: net, px, batch: `${perDomain} x 3 domains`, micro_batch: micro ?? null },
      augmentation_images_per_s: round(augmentRate(px, 200)),
      disk_read_images_per_s: round(await readRate(dataset, 3 * perDomain, 5)),
      ...await trainRate({ dataset, backbone, perDomain, micro, steps }),
      peak_rss_mib: Math.round((peakRssBytes() ?? 0) / 2 ** 20),
    };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** Random RGB images: 4 domains of `perDomain` images (the hold-out kept small: 1 in 20). */
async function writeImages(dir: string, px: number, perDomain: number): Promise<string> {
  await Deno.mkdir(dir);
  const writer = await createDatasetWriter(dir, {
    classes: ["x", "y", "z", "w", "v", "u", "t"],
    domains: DOMAINS,
    imageShape: [px, px, 3],
    holdoutFraction: 0.05,
  });
  const rng = Prng.fromSeed(0);
  const image = new Uint8Array(px * px * 3);
  for (let d = 0; d < DOMAINS.length; d++) {
    for (let i = 0; i < perDomain; i++) {
      rng.fillUint32(new Uint32Array(image.buffer, 0, image.length / 4));
      await writer.add(image, i % 7, d);
    }
  }
  await writer.finish();
  return dir;
}

async function writeResNet(dir: string, net: ResNetArchitecture, px: number): Promise<string> {
  const { tf } = await loadTensorRuntime({ log: () => {} });
  const model = resnet(tf, RESNET_ARCHITECTURES[net], { inputSize: [px, px] });
  await saveModelToDir(model, dir);
  model.dispose();
  const info = {
    format: "dropline-backbone",
    version: 1,
    modelFormat: "layers",
    source: `bench:${net}`,
    inputSize: [px, px],
    channels: 3,
    preprocessing: {
      scale: 1 / 255,
      offset: 0,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    },
    featureLayer: "avgpool",
    featureDimension: null,
    weightFiles: ["weights.bin"],
  };
  await Deno.writeTextFile(`${dir}/backbone.json`, JSON.stringify(BackboneInfo.parse(info)));
  return dir;
}

function augmentRate(px: number, n: number): number {
  const src = Uint8Array.from({ length: px * px * 3 }, (_, i) => (i * 37) % 256);
  const out = new Float32Array(px * px * 3);
  for (let i = 0; i < 10; i++) {
    augmentImage(src, [px, px, 3], out, [px, px], augmentRandom(0, i, 0));
  }
  const started = performance.now();
  for (let i = 0; i < n; i++) augmentImage(src, [px, px, 3], out, [px, px], augmentRandom(1, i, 0));
  return n / ((performance.now() - started) / 1000);
}

async function readRate(dir: string, batch: number, batches: number): Promise<number> {
  const source = await openImageSource(dir);
  const rng = Prng.fromSeed(1);
  try {
    const started = performance.now();
    for (let b = 0; b < batches; b++) {
      await source.read(Int32Array.from({ length: batch }, () => rng.int(source.count)));
    }
    return (batch * batches) / ((performance.now() - started) / 1000);
  } finally {
    source.close();
  }
}

async function trainRate(o: {
  dataset: string;
  backbone: string;
  perDomain: number;
  micro: number | undefined;
  steps: number;
}): Promise<Record<string, unknown>> {
  const run = await testContext(finetune, {
    backbone: o.backbone,
    dataset: o.dataset,
    test_domains: ["test"],
    dropout: 0.9,
    lr: 1e-4,
    weight_decay: 1e-4,
    batch_size: o.perDomain,
    ...(o.micro ? { micro_batch: o.micro } : {}),
    steps: o.steps + 1,
    eval_every: o.steps + 1,
    log_every: 1,
    eval_batch: 32,
  });
  const times: number[] = [], cpu: number[] = [];
  run.ctx.progress = () => {
    times.push(performance.now());
    cpu.push(cpuSeconds());
  };
  const lines: string[] = [];
  run.ctx.log = { info: (m) => lines.push(m), warn: (m) => lines.push(m) };
  await finetune.run(run.ctx);
  // times[0]: after the step-0 evaluation; then one per step; the last step's record comes after
  // its evaluation, so it is left out. Step 1 is the warm-up.
  const stepTimes = times.slice(2, 2 + o.steps - 1).map((t, i) => t - times[1 + i]!);
  const perStep = stepTimes.length ? stepTimes.reduce((a, b) => a + b, 0) / stepTimes.length : NaN;
  const cpuPerStep = (cpu[o.steps]! - cpu[1]!) / (o.steps - 1);
  return {
    backend: lines.find((l) => l.startsWith("Tensor backend")) ?? null,
    seconds_per_step: round(perStep / 1000),
    // Process CPU time (all threads): what a step costs whatever else shares the cores.
    cpu_seconds_per_step: round(cpuPerStep),
    training_images_per_s: round((3 * o.perDomain) / (perStep / 1000)),
    timed_steps: stepTimes.length,
    first_step_seconds: round((times[1]! - times[0]!) / 1000),
  };
}

/** User + system CPU time of this process so far (Linux /proc, 100 ticks per second). */
function cpuSeconds(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
