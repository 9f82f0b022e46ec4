/**
 * The data set directory every image stage reads:
 *
 * - `dataset.json`: {@link DatasetInfo} (class and domain names, image shape,
 *   counts per domain and split, holdout fraction, split seed);
 * - `images.npy`: uint8, N x H x W x C;
 * - `labels.npy`: int32, N (index into `classes`);
 * - `domains.npy`: int32, N (index into `domains`);
 * - `split.npy`: uint8, N (0 = in, 1 = out / held out).
 *
 * @example
 * ```ts
 * import { readDataset } from "./dataset.ts";
 *
 * const data = await readDataset("cache/objects/ab12...");
 * console.log(data.info.domains, data.labels.length);
 * const images = await data.openImages(); // read in batches with images.readRows()
 * images.close();
 * ```
 * @module
 */
import { z } from "zod";
import { readNpy } from "./npy_file.ts";
import { type NpyReader, openNpy } from "./npy_reader.ts";
import { readJsonFile } from "./_json_file.ts";
import { checkMetaArrays } from "./_meta_arrays.ts";

/** Counts of one domain's examples per split. */
export const SplitCounts = z.strictObject({
  in: z.int().nonnegative(),
  out: z.int().nonnegative(),
});

/** Schema of `dataset.json`. */
export const DatasetInfo = z.object({
  format: z.literal("dropline-dataset"),
  version: z.literal(1),
  classes: z.array(z.string()).min(1),
  domains: z.array(z.string()).min(1),
  /** Height, width, channels. */
  imageShape: z.tuple([z.int().positive(), z.int().positive(), z.int().positive()]),
  count: z.int().nonnegative(),
  /** Examples per domain name and split. */
  counts: z.record(z.string(), SplitCounts),
  holdoutFraction: z.number().min(0).max(1),
  splitSeed: z.int(),
  /** Free-form provenance (task, parameters). */
  source: z.record(z.string(), z.unknown()).optional(),
});
/** The content of `dataset.json`. */
export type DatasetInfo = z.infer<typeof DatasetInfo>;

/** The files of a data set directory. */
export const DATASET_FILES = [
  "dataset.json",
  "images.npy",
  "labels.npy",
  "domains.npy",
  "split.npy",
] as const;

/** A data set directory with its small arrays loaded. */
export interface Dataset {
  dir: string;
  info: DatasetInfo;
  labels: Int32Array;
  domains: Int32Array;
  split: Uint8Array;
  /** Opens `images.npy` for reading rows in batches (close it when done). */
  openImages(): Promise<NpyReader>;
}

/**
 * Reads `dataset.json` alone. Throws `SyntaxError` naming the file when it is
 * not a valid data set description.
 *
 * @example
 * ```ts
 * const info = await readDatasetInfo(dir);
 * ```
 */
export function readDatasetInfo(dir: string): Promise<DatasetInfo> {
  return readJsonFile(`${dir}/dataset.json`, DatasetInfo);
}

/**
 * Reads a data set directory's description, labels, domains and split, and
 * checks they agree with each other. Images stay on disk until `openImages()`.
 *
 * @example
 * ```ts
 * const { info, labels, split } = await readDataset(dir);
 * ```
 */
export async function readDataset(dir: string): Promise<Dataset> {
  const info = await readDatasetInfo(dir);
  const [labels, domains, split] = await Promise.all(
    ["labels", "domains", "split"].map((name) => readNpy(`${dir}/${name}.npy`)),
  );
  const arrays = checkMetaArrays(dir, info, labels!, domains!, split!);
  const openImages = async () => {
    const reader = await openNpy(`${dir}/images.npy`);
    const expected = [info.count, ...info.imageShape].join(",");
    if (reader.header.dtype !== "uint8" || reader.header.shape.join(",") !== expected) {
      reader.close();
      throw new SyntaxError(
        `Invalid data set "${dir}": images.npy is ${reader.header.dtype} (${reader.header.shape}), expected uint8 (${expected})`,
      );
    }
    return reader;
  };
  return { dir, info, ...arrays, openImages };
}
