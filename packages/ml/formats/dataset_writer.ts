/**
 * Writes a data set directory (see `dataset.ts`) one image at a time: images
 * stream to `images.npy`; labels and domains are kept in memory; `finish()`
 * computes the seeded per-domain split and writes the rest.
 *
 * @example
 * ```ts
 * import { createDatasetWriter } from "./dataset_writer.ts";
 *
 * const writer = await createDatasetWriter(outDir, {
 *   classes: ["dog", "horse"],
 *   domains: ["photo", "sketch"],
 *   imageShape: [28, 28, 1],
 * });
 * await writer.add(new Uint8Array(28 * 28), 1, 0); // a horse photo
 * const info = await writer.finish();
 * ```
 * @module
 */
import type { DatasetInfo } from "./dataset.ts";
import { writeNpy } from "./npy_file.ts";
import { createNpyWriter } from "./npy_writer.ts";
import { splitInOut } from "./split.ts";
import { writeJsonFile } from "./_json_file.ts";
import { countSplits } from "./_meta_arrays.ts";

/** What {@link createDatasetWriter} needs to know up front. */
export interface DatasetWriterOptions {
  classes: string[];
  domains: string[];
  /** Height, width, channels of every image. */
  imageShape: [number, number, number];
  /** Fraction of each domain held out; default 0.2. */
  holdoutFraction?: number;
  /** Split seed; default 0. */
  splitSeed?: number;
  /** Provenance recorded in `dataset.json`. */
  source?: Record<string, unknown>;
}

/** A data set directory being written. */
export interface DatasetWriter {
  /** Appends one image (H*W*C bytes, HWC order) with its class and domain index. */
  add(image: Uint8Array, label: number, domain: number): Promise<void>;
  /** Images added so far. */
  readonly count: number;
  /** Splits, writes the remaining files and returns the description. */
  finish(): Promise<DatasetInfo>;
}

// Images are written in chunks of about this size rather than one syscall each.
const CHUNK_BYTES = 4 << 20;

/**
 * Starts a data set directory in `dir` (which must exist).
 *
 * @example
 * ```ts
 * const w = await createDatasetWriter(dir, { classes: ["a"], domains: ["x"], imageShape: [2, 2, 1] });
 * ```
 */
export async function createDatasetWriter(
  dir: string,
  options: DatasetWriterOptions,
): Promise<DatasetWriter> {
  const { classes, domains: domainNames, imageShape } = options;
  const imageBytes = imageShape[0] * imageShape[1] * imageShape[2];
  const images = await createNpyWriter(`${dir}/images.npy`, {
    dtype: "uint8",
    rowShape: imageShape,
  });
  const labels: number[] = [];
  const domains: number[] = [];
  const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / imageBytes));
  let chunk = new Uint8Array(chunkRows * imageBytes);
  let pending = 0;
  const flush = async () => {
    if (pending > 0) await images.append(chunk.subarray(0, pending * imageBytes));
    chunk = new Uint8Array(chunkRows * imageBytes);
    pending = 0;
  };
  return {
    get count() {
      return labels.length;
    },
    async add(image, label, domain) {
      if (image.length !== imageBytes) {
        throw new RangeError(
          `Image has ${image.length} bytes, expected ${imageBytes} (${imageShape})`,
        );
      }
      checkIndex("Label", label, classes.length);
      checkIndex("Domain", domain, domainNames.length);
      chunk.set(image, pending * imageBytes);
      labels.push(label);
      domains.push(domain);
      if (++pending === chunkRows) await flush();
    },
    async finish() {
      await flush();
      await images.close();
      return await writeMeta(dir, options, Int32Array.from(labels), Int32Array.from(domains));
    },
  };
}

async function writeMeta(
  dir: string,
  options: DatasetWriterOptions,
  labels: Int32Array,
  domains: Int32Array,
): Promise<DatasetInfo> {
  const { holdoutFraction = 0.2, splitSeed = 0 } = options;
  const split = splitInOut(domains, { holdoutFraction, seed: splitSeed });
  const n = labels.length;
  await writeNpy(`${dir}/labels.npy`, { dtype: "int32", shape: [n], data: labels });
  await writeNpy(`${dir}/domains.npy`, { dtype: "int32", shape: [n], data: domains });
  await writeNpy(`${dir}/split.npy`, { dtype: "uint8", shape: [n], data: split });
  const info: DatasetInfo = {
    format: "dropline-dataset",
    version: 1,
    classes: options.classes,
    domains: options.domains,
    imageShape: options.imageShape,
    count: n,
    counts: countSplits(options.domains, domains, split),
    holdoutFraction,
    splitSeed,
    ...(options.source ? { source: options.source } : {}),
  };
  await writeJsonFile(`${dir}/dataset.json`, info);
  return info;
}

function checkIndex(what: string, value: number, limit: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= limit) {
    throw new RangeError(`${what} index ${value} is outside [0, ${limit})`);
  }
}
