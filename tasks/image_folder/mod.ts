/**
 * `image_folder`: turns a `<domain>/<class>/<image>` tree (the PACS layout,
 * optionally under a sub-directory) into the data set format: images decoded
 * with sharp and resized, sorted order, seeded per-domain in/out split.
 */
import { z } from "zod";
import { DATASET_FILES, type DatasetWriter } from "@dropline/ml";
import { defineTask, type TaskContext, TaskError } from "@dropline/task";
import { decodeInOrder, makeDecoder } from "./_decode_image.ts";
import { type ImageTree, scanImageTree } from "./_image_tree.ts";
import { againstWorkDir } from "../_shared/source_path.ts";
import { allocationFailed, type ImageShape } from "./_allocation_failed.ts";

// Largest output side in pixels: 4096 x 4096 x 3 is 48 MiB per image, and the
// writer's chunk and the decodes in flight hold a few at once.
const MAX_SIDE = 4096;

// The engine appends ", got <value>" to range errors.
const SIDE_RANGE = `Expected a side from 1 to ${MAX_SIDE} pixels`;
const side = z.int().min(1, { error: SIDE_RANGE }).max(MAX_SIDE, { error: SIDE_RANGE });

const ImageFolderParams = z.strictObject({
  input: z.string().min(1).describe("directory holding the tree (e.g. ${{ stages.download.out }})"),
  root: z.string().optional().describe("sub-directory of input that holds the domain directories"),
  size: z.union([side, z.tuple([side, side])], {
    error: withValue(
      `Expected a side in pixels (an integer from 1 to ${MAX_SIDE}, e.g. 224) or [height, width]`,
    ),
  }).default(224).describe(`output size: N for N x N, or [height, width]; at most ${MAX_SIDE}`),
  channels: z.union([z.literal(3), z.literal(1)], {
    error: withValue("Expected 3 (RGB) or 1 (grayscale)"),
  }).default(3).describe("3 for RGB, 1 for grayscale"),
  fit: z.enum(["fill", "cover", "contain"]).default("fill")
    .describe("fill stretches to the size; cover crops; contain pads with black"),
  domains: z.array(z.string().min(1)).min(1).optional().describe(
    "domains to take, in this order; default all",
  ),
  classes: z.array(z.string().min(1)).min(1).optional().describe(
    "classes to take, in this order; default all",
  ),
  extensions: z.array(z.string().regex(/^\.\w+$/)).min(1).default([".jpg", ".jpeg", ".png"])
    .describe("image file extensions (case-insensitive)"),
  holdout_fraction: z.number().min(0).lt(1).default(0.2).describe(
    "fraction of each domain held out",
  ),
  split_seed: z.int().default(0).describe("seed of the in/out split"),
});

type ImageFolderParams = z.output<typeof ImageFolderParams>;

export default defineTask({
  name: "image_folder",
  // 2: the in/out split draws from Prng (sfc32), the one generator.
  version: 2,
  description: "Converts a <domain>/<class>/<image> tree into a data set (decoded, resized, split)",
  module: import.meta.url,
  schema: ImageFolderParams,
  outputs: () => [...DATASET_FILES],
  inputFiles: (params) => [params.input],
  async run(ctx) {
    const params = ctx.params;
    const input = againstWorkDir(params.input, ctx.workDir);
    const base = params.root ? `${input}/${params.root}` : input;
    const tree = await scanImageTree(base, {
      domains: params.domains,
      classes: params.classes,
      extensions: params.extensions.map((ext) => ext.toLowerCase()),
    });
    ctx.log.info(
      `Found ${tree.images.length} images: ${tree.domains.length} domains, ${tree.classes.length} classes`,
    );
    await convert(ctx, base, tree).catch((error) => {
      throw allocationFailed(error, imageShape(params)) ?? error;
    });
  },
});

async function convert(
  ctx: TaskContext<ImageFolderParams>,
  base: string,
  tree: ImageTree,
): Promise<void> {
  const params = ctx.params;
  const [height, width] = imageShape(params);
  const { createDatasetWriter } = await import("@dropline/ml");
  const writer = await createDatasetWriter(ctx.outDir, {
    classes: tree.classes,
    domains: tree.domains,
    imageShape: [height, width, params.channels],
    holdoutFraction: params.holdout_fraction,
    splitSeed: params.split_seed,
    source: {
      task: "image_folder",
      root: params.root ?? null,
      size: [height, width],
      fit: params.fit,
    },
  });
  const decode = await makeDecoder({ height, width, channels: params.channels, fit: params.fit });
  const { skipped, perGroup } = await decodeAll(
    ctx,
    tree,
    (path) => decode(`${base}/${path}`),
    writer,
  );
  if (skipped.length) {
    ctx.log.warn(`Skipped ${skipped.length} unreadable images: ${skipped.slice(0, 5).join("; ")}`);
  }
  checkNoneEmpty(tree, perGroup);
  const info = await writer.finish();
  ctx.log.info(`Wrote ${info.count} images of ${height}x${width}x${params.channels}`);
}

function imageShape(params: ImageFolderParams): ImageShape {
  const [height, width] = typeof params.size === "number"
    ? [params.size, params.size]
    : params.size;
  return [height, width, params.channels];
}

/** Decodes every image in order into the writer; unreadable ones are listed, not fatal. */
async function decodeAll(
  ctx: TaskContext<ImageFolderParams>,
  tree: ImageTree,
  decode: (path: string) => Promise<Uint8Array>,
  writer: DatasetWriter,
): Promise<{ skipped: string[]; perGroup: Map<string, number> }> {
  const skipped: string[] = [];
  const perGroup = new Map<string, number>();
  let done = 0;
  for await (
    const { item, pixels, error } of decodeInOrder(tree.images, (i) => decode(i.path), 4)
  ) {
    ctx.signal.throwIfAborted();
    if (pixels) {
      await writer.add(pixels, item.label, item.domain);
      const group = `${item.domain}/${item.label}`;
      perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
    } else skipped.push(`${item.path} (${error?.message ?? "unreadable"})`);
    if (++done % 64 === 0 || done === tree.images.length) {
      ctx.progress({ done, total: tree.images.length, unit: "images" });
    }
  }
  return { skipped, perGroup };
}

/** A class whose every image failed to decode is as empty as a class without files. */
function checkNoneEmpty(tree: ImageTree, perGroup: Map<string, number>): void {
  for (const [d, domain] of tree.domains.entries()) {
    for (const [c, className] of tree.classes.entries()) {
      if (!perGroup.get(`${d}/${c}`)) {
        throw new TaskError(`Class "${className}" of domain "${domain}" has no readable images`);
      }
    }
  }
}

/**
 * A union's "invalid input" says neither what was expected nor what was
 * given; this message says both (the engine adds the value to range errors only).
 */
function withValue(expected: string): (issue: { input?: unknown }) => string {
  return (issue) => {
    const shown = JSON.stringify(issue.input) ?? String(issue.input);
    return `${expected}, got ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`;
  };
}
