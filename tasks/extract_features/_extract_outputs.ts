/**
 * Writes a features directory (see @dropline/ml formats/features.ts) without holding
 * the features matrix in memory: rows stream into `features.npy` as batches
 * come out of the backbone; the small arrays and `features.json` follow at
 * the end. `writeFeatures` needs the whole matrix, hence this streaming twin.
 */
import {
  createNpyWriter,
  type Dataset,
  FeaturesInfo,
  type NpyWriter,
  type Preprocessing,
  writeNpy,
} from "@dropline/ml";

/** What `features.json` records beyond the data set's description. */
export interface FeaturesMeta {
  backbone: string;
  layer: string;
  preprocessing: Preprocessing;
  /** How the images were turned into inputs and where (extra, free-form). */
  extraction: Record<string, unknown>;
}

/** A features directory being written. */
export interface FeaturesSink {
  readonly dimension: number;
  readonly rows: number;
  /** Appends whole rows (a multiple of `dimension` values). */
  append(rows: Float32Array): Promise<void>;
  /** Writes labels, domains, split and `features.json`; checks every image got a row. */
  finish(meta: FeaturesMeta): Promise<FeaturesInfo>;
}

/**
 * Starts `dir/features.npy` with rows of `dimension` floats, for the images of `data`.
 *
 * @example
 * ```ts
 * const sink = await createFeaturesSink(outDir, data, 128);
 * await sink.append(batchFeatures);
 * await sink.finish({ backbone, layer, preprocessing, extraction: {} });
 * ```
 */
export async function createFeaturesSink(
  dir: string,
  data: Dataset,
  dimension: number,
): Promise<FeaturesSink> {
  const writer: NpyWriter = await createNpyWriter(`${dir}/features.npy`, {
    dtype: "float32",
    rowShape: [dimension],
  });
  return {
    dimension,
    get rows() {
      return writer.rows;
    },
    append: (rows) => writer.append(rows),
    async finish(meta) {
      const rows = await writer.close();
      const n = data.info.count;
      if (rows !== n) throw new RangeError(`Wrote ${rows} feature rows for ${n} images`);
      await writeNpy(`${dir}/labels.npy`, { dtype: "int32", shape: [n], data: data.labels });
      await writeNpy(`${dir}/domains.npy`, { dtype: "int32", shape: [n], data: data.domains });
      await writeNpy(`${dir}/split.npy`, { dtype: "uint8", shape: [n], data: data.split });
      // The data set's per-domain counts hold for the features: same rows, same order.
      const info = FeaturesInfo.parse({
        format: "dropline-features",
        version: 1,
        backbone: meta.backbone,
        layer: meta.layer,
        dimension,
        preprocessing: meta.preprocessing,
        count: n,
        classes: data.info.classes,
        domains: data.info.domains,
        counts: data.info.counts,
        holdoutFraction: data.info.holdoutFraction,
        splitSeed: data.info.splitSeed,
      });
      const json = { ...info, extraction: meta.extraction };
      await Deno.writeTextFile(`${dir}/features.json`, JSON.stringify(json, null, 2) + "\n");
      return info;
    },
  };
}
