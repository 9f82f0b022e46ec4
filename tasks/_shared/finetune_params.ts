/** The `with` schema of the `finetune` task, and how its fields map onto the training loop. */
import { z } from "zod";
import type { TrainConfig } from "@dropline/ml";
import { BackendParam } from "@dropline/tensor";

const DomainRef = z.union([z.string().min(1), z.int().nonnegative()]);

const Fraction = z.number().min(0).max(1);

/** `augment`: `auto`, on/off, or DomainBed's augmentation with some settings changed. */
export const AugmentParam = z.union([
  z.literal("auto"),
  z.boolean(),
  z.strictObject({
    scale: z.tuple([z.number().gt(0).max(1), z.number().gt(0).max(1)]).default([0.7, 1])
      .describe("range of the crop's area, as a fraction of the image's"),
    ratio: z.tuple([z.number().positive(), z.number().positive()]).default([3 / 4, 4 / 3])
      .describe("range of the crop's aspect ratio"),
    flip: Fraction.default(0.5).describe("probability of a horizontal flip"),
    brightness: Fraction.default(0.3),
    contrast: Fraction.default(0.3),
    saturation: Fraction.default(0.3),
    hue: z.number().min(0).max(0.5).default(0.3),
    grayscale: Fraction.default(0.1).describe("probability of turning an RGB image grey"),
  }),
]).default("auto").describe(
  "training augmentation (backbone path): auto = DomainBed's for RGB images, none otherwise",
);

export const FinetuneParams = z.strictObject({
  features: z.string().min(1).optional().describe("features directory (trains a head on it)"),
  backbone: z.string().min(1).optional().describe(
    "Layers backbone directory (fine-tunes it with a head)",
  ),
  dataset: z.string().min(1).optional().describe("data set directory, with `backbone`"),
  layer: z.string().min(1).optional()
    .describe(
      "backbone layer whose output is the representation (default: backbone.json, else the input of the last dense layer)",
    ),
  train: z.union([
    z.enum(["all", "head"]),
    z.strictObject({ last_blocks: z.int().positive() }),
  ]).default("all").describe(
    "backbone path: which weights train with the head: all, head (only), or {last_blocks: N}",
  ),
  batchnorm: z.enum(["frozen_stats", "frozen", "train"]).default("frozen_stats").describe(
    "backbone path: frozen_stats = running statistics frozen, scale and shift trained",
  ),
  augment: AugmentParam,
  // null (a pipeline param left unset) means the whole batch, as absent does.
  micro_batch: z.int().positive().nullish().transform((v) => v ?? undefined).describe(
    "backbone path: examples per forward/backward pass (gradients accumulate); default the whole batch",
  ),
  eval_batch: z.int().positive().default(64).describe(
    "backbone path: images per forward pass when evaluating",
  ),
  test_domains: z.union([DomainRef, z.array(DomainRef).min(1)]).transform((
    v,
  ) => (Array.isArray(v) ? v : [v]))
    .describe("held-out domains (names or indices); the others are training domains"),
  dropout: z.number().min(0).max(0.99).default(0).describe("dropout rate on the representation"),
  schedule: z.strictObject({
    kind: z.enum(["constant", "early", "late"]).default("constant"),
    cutoff: z.int().nonnegative().default(0),
    decay: z.enum(["constant", "linear"]).default("constant"),
  }).default({ kind: "constant", cutoff: 0, decay: "constant" }).describe("dropout schedule"),
  hidden: z.array(z.int().positive()).default([]).describe("hidden ReLU layer widths of the head"),
  optimizer: z.enum(["sgd", "adam"]).default("sgd"),
  lr: z.number().positive().default(1e-3),
  momentum: z.number().min(0).max(0.999).default(0.9),
  weight_decay: z.number().min(0).default(0).describe("coupled L2, added to the gradient"),
  head_lr_mult: z.number().positive().default(1),
  lr_decay: z.strictObject({
    at: z.array(z.int().positive()).default([]),
    factor: z.number().positive().default(0.1),
  }).default({ at: [], factor: 0.1 }).describe("step decay of the learning rate"),
  l2_sp: z.strictObject({ alpha: z.number().min(0).default(0), beta: z.number().min(0).default(0) })
    .optional()
    .describe("L2-SP: alpha pulls backbone weights to their start, beta shrinks the head"),
  batch_size: z.int().positive().default(32).describe("examples per training domain per step"),
  steps: z.int().positive().default(1000),
  eval_every: z.int().positive().default(100),
  log_every: z.int().positive().default(10),
  seed: z.int().default(0).describe("batches and dropout masks"),
  init_seed: z.int().default(0).describe(
    "initial head weights (shared across seeds so runs can be averaged)",
  ),
  backend: BackendParam,
}).refine((p) => Boolean(p.features) !== Boolean(p.backbone && p.dataset), {
  message: "Give either `features`, or `backbone` and `dataset`",
});
export type FinetuneParams = z.output<typeof FinetuneParams>;

/** The loop's configuration for these parameters. */
export function trainConfigOf(p: FinetuneParams): TrainConfig {
  return {
    steps: p.steps,
    evalEvery: p.eval_every,
    logEvery: p.log_every,
    batchPerDomain: p.batch_size,
    dropout: p.dropout,
    schedule: p.schedule,
    lr: { lr: p.lr, at: p.lr_decay.at, factor: p.lr_decay.factor },
    optimizer: {
      kind: p.optimizer,
      momentum: p.momentum,
      weightDecay: p.weight_decay,
      headLrMult: p.head_lr_mult,
      ...(p.l2_sp ? { l2spAlpha: p.l2_sp.alpha, l2spBeta: p.l2_sp.beta } : {}),
    },
    seed: p.seed,
  };
}

/**
 * Parameters as recorded with models and in summaries: without input paths
 * and the settings that change speed or memory, not results (`eval_batch`).
 */
export function reportedParams(p: FinetuneParams): Record<string, unknown> {
  const { features: _f, backbone: _b, dataset: _d, backend: _e, eval_batch: _v, ...rest } = p;
  if (p.features) {
    const { train: _t, batchnorm: _n, augment: _a, micro_batch: _m, ...head } = rest;
    return head;
  }
  return rest;
}

/** Splits domain names into training and test by the `test_domains` references. */
export function resolveDomains(domains: readonly string[], refs: readonly (string | number)[]) {
  const test = refs.map((ref) => domainIndex(domains, ref));
  const train = domains.map((_, i) => i).filter((i) => !test.includes(i));
  if (train.length === 0) {
    throw new RangeError("No training domain is left after removing the test domains");
  }
  return { trainDomains: train, testDomains: [...new Set(test)].sort((a, b) => a - b) };
}

/**
 * The index a `test_domains` reference names: a string is a domain's name, a number its index.
 * RotatedMNIST's domains are named by numbers, so a number that is also another domain's name
 * is refused rather than read silently as an index.
 */
function domainIndex(domains: readonly string[], ref: string | number): number {
  const names = domains.map((d) => `"${d}"`).join(", ");
  if (typeof ref === "string") {
    const index = domains.indexOf(ref);
    if (index < 0) throw new RangeError(`Unknown test domain "${ref}": the data has ${names}`);
    return index;
  }
  const named = domains.indexOf(String(ref));
  if (ref >= domains.length) {
    const quote = named < 0 ? "" : `; write "${ref}" in quotes for the domain named "${ref}"`;
    throw new RangeError(
      `Test domain ${ref} is read as an index (numbers are indices${quote}), but the data has ` +
        `${domains.length} domains (indices 0 to ${domains.length - 1}): ${names}`,
    );
  }
  if (named >= 0 && named !== ref) {
    throw new RangeError(
      `Test domain ${ref} is ambiguous: numbers are indices, and index ${ref} is "${
        domains[ref]
      }", but a domain is named "${ref}"; write "${domains[ref]}" or "${ref}" in quotes`,
    );
  }
  return ref;
}
