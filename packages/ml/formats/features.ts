/**
 * The features directory: a data set passed through a backbone.
 *
 * - `features.json`: {@link FeaturesInfo} (backbone, layer, dimension,
 *   pre-processing, plus the data set's classes, domains and split counts);
 * - `features.npy`: float32, N x D;
 * - `labels.npy`, `domains.npy`, `split.npy`: as in the data set directory.
 *
 * @example
 * ```ts
 * import { readFeatures } from "./features.ts";
 *
 * const { info, features, labels, split } = await readFeatures(dir);
 * const row = features.subarray(0, info.dimension); // the first example
 * ```
 * @module
 */
import { z } from "zod";
import { Preprocessing } from "./backbone_info.ts";
import { SplitCounts } from "./dataset.ts";
import { readNpy, writeNpy } from "./npy_file.ts";
import { readJsonFile, writeJsonFile } from "./_json_file.ts";
import { checkMetaArrays, countSplits } from "./_meta_arrays.ts";

/** Schema of `features.json`. */
export const FeaturesInfo = z.object({
  format: z.literal("dropline-features"),
  version: z.literal(1),
  /** The backbone's source (URL or name). */
  backbone: z.string(),
  /** The layer whose output these are. */
  layer: z.string(),
  dimension: z.int().positive(),
  preprocessing: Preprocessing,
  count: z.int().nonnegative(),
  classes: z.array(z.string()).min(1),
  domains: z.array(z.string()).min(1),
  counts: z.record(z.string(), SplitCounts),
  holdoutFraction: z.number().min(0).max(1),
  splitSeed: z.int(),
});
/** The content of `features.json`. */
export type FeaturesInfo = z.infer<typeof FeaturesInfo>;

/** The files of a features directory. */
export const FEATURES_FILES = [
  "features.json",
  "features.npy",
  "labels.npy",
  "domains.npy",
  "split.npy",
] as const;

/** A features directory, loaded. */
export interface Features {
  info: FeaturesInfo;
  /** N x D, row-major. */
  features: Float32Array;
  labels: Int32Array;
  domains: Int32Array;
  split: Uint8Array;
}

/** What {@link writeFeatures} is given: counts and dimension are derived. */
export interface FeaturesInput {
  info: Omit<FeaturesInfo, "format" | "version" | "count" | "counts">;
  features: Float32Array;
  labels: Int32Array;
  domains: Int32Array;
  split: Uint8Array;
}

/**
 * Writes a features directory into `dir` (which must exist).
 *
 * @example
 * ```ts
 * await writeFeatures(outDir, { info, features, labels, domains, split });
 * ```
 */
export async function writeFeatures(dir: string, input: FeaturesInput): Promise<FeaturesInfo> {
  const { dimension } = input.info;
  const n = input.labels.length;
  if (input.features.length !== n * dimension) {
    throw new RangeError(
      `Features hold ${input.features.length} values, expected ${n} x ${dimension}`,
    );
  }
  if (input.domains.length !== n || input.split.length !== n) {
    throw new RangeError(`Labels, domains and split must have the same length (${n})`);
  }
  const info: FeaturesInfo = {
    format: "dropline-features",
    version: 1,
    ...input.info,
    count: n,
    counts: countSplits(input.info.domains, input.domains, input.split),
  };
  await writeNpy(`${dir}/features.npy`, {
    dtype: "float32",
    shape: [n, dimension],
    data: input.features,
  });
  await writeNpy(`${dir}/labels.npy`, { dtype: "int32", shape: [n], data: input.labels });
  await writeNpy(`${dir}/domains.npy`, { dtype: "int32", shape: [n], data: input.domains });
  await writeNpy(`${dir}/split.npy`, { dtype: "uint8", shape: [n], data: input.split });
  await writeJsonFile(`${dir}/features.json`, info);
  return info;
}

/**
 * Reads a features directory and checks its files agree with each other.
 *
 * @example
 * ```ts
 * const { info, features } = await readFeatures(dir);
 * ```
 */
export async function readFeatures(dir: string): Promise<Features> {
  const info = await readJsonFile(`${dir}/features.json`, FeaturesInfo);
  const [features, labels, domains, split] = await Promise.all(
    ["features", "labels", "domains", "split"].map((name) => readNpy(`${dir}/${name}.npy`)),
  );
  const expected = `${info.count},${info.dimension}`;
  if (features!.dtype !== "float32" || features!.shape.join(",") !== expected) {
    throw new SyntaxError(
      `Invalid "${dir}": features.npy is ${features!.dtype} (${
        features!.shape
      }), expected float32 (${expected})`,
    );
  }
  const arrays = checkMetaArrays(dir, info, labels!, domains!, split!);
  return { info, features: features!.data as Float32Array, ...arrays };
}
