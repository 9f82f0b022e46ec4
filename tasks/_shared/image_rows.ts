/**
 * A data set's images held in memory (uint8) and turned into model inputs a
 * batch at a time: `(v * scale + offset - mean[c]) / std[c]`.
 */
import { type Preprocessing, readDataset } from "@dropline/ml";
import type { Tf } from "@dropline/tensor";
import type * as TfCore from "@tensorflow/tfjs-core";

/** More than this and the data set should be turned into features first. */
const MAX_BYTES = 2 * 1024 ** 3;

export interface ImageRows {
  classes: string[];
  domains: string[];
  shape: [number, number, number];
  images: Uint8Array;
  labels: Int32Array;
  domainIds: Int32Array;
  split: Uint8Array;
}

export async function loadImageRows(dir: string): Promise<ImageRows> {
  const data = await readDataset(dir);
  const [h, w, c] = data.info.imageShape;
  const bytes = data.info.count * h * w * c;
  if (bytes > MAX_BYTES) {
    throw new RangeError(
      `Data set "${dir}" holds ${bytes} bytes of images; fine-tune on features instead`,
    );
  }
  const reader = await data.openImages();
  try {
    const all = await reader.readRows(0, data.info.count);
    return {
      classes: data.info.classes,
      domains: data.info.domains,
      shape: [h, w, c],
      images: all.data as Uint8Array,
      labels: data.labels,
      domainIds: data.domains,
      split: data.split,
    };
  } finally {
    reader.close();
  }
}

/** The pre-processed images of `rows` as a [n, h, w, c] float tensor. */
export function imageBatch(
  tf: Tf,
  data: ImageRows,
  rows: Int32Array,
  pre: Preprocessing,
): TfCore.Tensor4D {
  const [h, w, c] = data.shape, size = h * w * c;
  const out = new Float32Array(rows.length * size);
  const mean = (k: number) => pre.mean[pre.mean.length === 1 ? 0 : k] ?? 0;
  const std = (k: number) => pre.std[pre.std.length === 1 ? 0 : k] ?? 1;
  for (let r = 0; r < rows.length; r++) {
    const src = rows[r]! * size, dst = r * size;
    for (let j = 0; j < size; j++) {
      const k = j % c;
      out[dst + j] = (data.images[src + j]! * pre.scale + pre.offset - mean(k)) / std(k);
    }
  }
  return tf.tensor4d(out, [rows.length, h, w, c]);
}
