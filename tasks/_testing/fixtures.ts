/** Test fixtures shared by the ML task tests: synthetic features directories and fine-tuned runs. */
import { syntheticFeatures, type SyntheticOptions, writeFeatures } from "@dropline/ml";

/** Writes a features directory of synthetic data and returns its path. */
export async function writeSyntheticFeatures(
  options: Partial<SyntheticOptions> = {},
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "dropline-features-" });
  const data = syntheticFeatures({
    dimension: 128,
    classes: 3,
    domains: ["art", "cartoon", "photo", "sketch"],
    perDomain: 120,
    noise: 2.5,
    ...options,
  });
  await writeFeatures(dir, {
    info: {
      backbone: "synthetic",
      layer: "none",
      dimension: data.dimension,
      preprocessing: { scale: 1, offset: 0, mean: [0], std: [1] },
      classes: data.classNames,
      domains: data.domainNames,
      holdoutFraction: 0.2,
      splitSeed: 0,
    },
    features: data.features,
    labels: data.labels,
    domains: data.domains,
    split: data.split,
  });
  return dir;
}

/** Lists every file under `dir` with its bytes, for comparing outputs. */
export async function readTree(dir: string, prefix = ""): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) { for (const [p, b] of await readTree(dir, path)) files.set(p, b); }
    else files.set(path, await Deno.readFile(`${dir}/${path}`));
  }
  return files;
}

/** Runs `finetune` on a features directory and returns its output directory. */
export async function finetuneRun(
  features: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const { default: finetune } = await import("../finetune/mod.ts");
  const { testContext } = await import("./test_context.ts");
  const run = await testContext(finetune, {
    features,
    test_domains: ["sketch"],
    dropout: 0.5,
    lr: 0.01,
    steps: 60,
    eval_every: 20,
    batch_size: 16,
    ...overrides,
  });
  await finetune.run(run.ctx);
  return run.ctx.outDir;
}
