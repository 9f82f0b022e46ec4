/** The `with` schema of the `pretrain` task, and how its fields map onto the training loop. */
import { z } from "zod";
import type { TrainConfig } from "@dropline/ml";
import { BackendParam } from "@dropline/tensor";

const DomainRef = z.union([z.string().min(1), z.int().nonnegative()]);

const Common = {
  dataset: z.string().min(1).describe("data set directory"),
  domains: z.union([DomainRef, z.array(DomainRef).min(1)]).optional()
    .transform((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]))
    .describe("training domains (names or indices); default all; their in-splits are used"),
  test_domains: z.union([DomainRef, z.array(DomainRef).min(1)]).optional()
    .transform((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]))
    .describe(
      "held-out domains, never read (leave-one-domain-out): removed from the training domains",
    ),
  steps: z.int().positive().default(1000),
  batch_size: z.int().positive().default(64).describe(
    "examples per training domain per step, sampled with replacement",
  ),
  optimizer: z.enum(["adam", "sgd"]).default("adam"),
  lr: z.number().positive().default(1e-3),
  momentum: z.number().min(0).max(0.999).default(0.9).describe("SGD momentum"),
  weight_decay: z.number().min(0).default(0).describe("coupled L2, added to the gradient"),
  checkpoint_every: z.int().positive().default(100).describe(
    "steps between checkpoints (and evaluations on the out-splits)",
  ),
  log_every: z.int().positive().default(10).describe("steps between logged metrics"),
  seed: z.int().default(0).describe("initial weights and batches"),
  backend: BackendParam,
};

const Filters = z.tuple([
  z.int().positive(),
  z.int().positive(),
  z.int().positive(),
  z.int().positive(),
]);

export const PretrainParams = z.discriminatedUnion("architecture", [
  z.strictObject({
    architecture: z.literal("mnist_cnn").describe("DomainBed's MNIST CNN"),
    filters: Filters.default([64, 128, 128, 128]).describe("filters of the four convolutions"),
    groups: z.int().positive().default(8).describe(
      "group norm groups (must divide each filter count)",
    ),
    ...Common,
  }).refine((p) => p.filters.every((f) => f % p.groups === 0), {
    message: "Every filter count must be a multiple of `groups`",
    path: ["filters"],
  }),
  z.strictObject({
    architecture: z.literal("small_cnn").describe(
      "3x3 stride-2 ReLU convolutions, then a wide dense ReLU feature layer",
    ),
    filters: z.array(z.int().positive()).min(1).default([16, 32]).describe(
      "filters of the convolutions (each halves the image's height and width)",
    ),
    width: z.int().positive().default(512).describe("units of the dense feature layer"),
    ...Common,
  }),
  z.strictObject({
    architecture: z.literal("mlp").describe("dense ReLU layers over the flattened image"),
    hidden: z.array(z.int().positive()).min(1).default([256, 256]).describe(
      "hidden layer widths; the last one is the feature layer",
    ),
    ...Common,
  }),
]);
export type PretrainParams = z.output<typeof PretrainParams>;

/** The loop's configuration for these parameters (no dropout: this is a backbone). */
export function pretrainConfig(p: PretrainParams): TrainConfig {
  return {
    steps: p.steps,
    evalEvery: p.checkpoint_every,
    logEvery: p.log_every,
    batchPerDomain: p.batch_size,
    dropout: 0,
    schedule: { kind: "constant" },
    lr: { lr: p.lr },
    optimizer: { kind: p.optimizer, momentum: p.momentum, weightDecay: p.weight_decay },
    seed: p.seed,
  };
}

/**
 * Domain indices named by `refs` (names or indices), sorted; all domains when
 * `refs` is undefined; without those named by `held`. Throws a `RangeError`
 * naming an unknown domain, or when no domain is left.
 */
export function resolveTrainDomains(
  names: readonly string[],
  refs: readonly (string | number)[] | undefined,
  held: readonly (string | number)[] = [],
): number[] {
  const excluded = new Set(held.length ? domainIds(names, held) : []);
  const ids = (refs ? domainIds(names, refs) : names.map((_, i) => i))
    .filter((i) => !excluded.has(i));
  if (ids.length === 0) {
    throw new RangeError("No training domain is left after removing the test domains");
  }
  return ids;
}

function domainIds(names: readonly string[], refs: readonly (string | number)[]): number[] {
  const ids = refs.map((ref) => {
    const index = typeof ref === "number" ? ref : names.indexOf(ref);
    if (index < 0 || index >= names.length) {
      throw new RangeError(
        `Unknown domain "${ref}": the data set has ${names.map((d) => `"${d}"`).join(", ")}`,
      );
    }
    return index;
  });
  return [...new Set(ids)].sort((a, b) => a - b);
}
