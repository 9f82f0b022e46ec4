/**
 * A data set's images read from disk a batch at a time: labels, domains and
 * splits are in memory (a few bytes per image), pixels are read from
 * `images.npy` only for the rows a batch names. Memory stays bounded by the
 * batch, whatever the data set's size.
 *
 * @example
 * ```ts
 * const source = await openImageSource(dir);
 * try {
 *   const pixels = await source.read(Int32Array.of(5, 2, 5)); // 3 images back to back
 * } finally {
 *   source.close();
 * }
 * ```
 */
import { type LabelledRows, type NpyReader, readDataset } from "@dropline/ml";

export interface ImageSource {
  dir: string;
  classes: string[];
  domains: string[];
  /** Label, domain index and split of every image. */
  rows: LabelledRows;
  /** Height, width, channels. */
  shape: [number, number, number];
  count: number;
  /** The pixels (uint8, HWC) of `rows`, back to back in the given order; repeats allowed. */
  read(rows: Int32Array): Promise<Uint8Array>;
  close(): void;
}

export async function openImageSource(dir: string): Promise<ImageSource> {
  const data = await readDataset(dir);
  const [h, w, c] = data.info.imageShape;
  const reader = await data.openImages();
  // One file position: reads run one after another even when callers overlap (ensembles score
  // their members concurrently).
  let queue: Promise<unknown> = Promise.resolve();
  const read = (rows: Int32Array) => {
    const next = queue.then(() => readRows(reader, h * w * c, rows));
    queue = next.catch(() => {});
    return next;
  };
  return {
    dir,
    classes: data.info.classes,
    domains: data.info.domains,
    rows: { labels: data.labels, domains: data.domains, split: data.split },
    shape: [h, w, c],
    count: data.info.count,
    read,
    close: () => reader.close(),
  };
}

/** Reads sorted runs of consecutive rows in one call each, then places every row where asked. */
async function readRows(reader: NpyReader, size: number, rows: Int32Array): Promise<Uint8Array> {
  const out = new Uint8Array(rows.length * size);
  const unique = [...new Set(rows)].sort((a, b) => a - b);
  const offsets = new Map<number, Uint8Array>();
  for (let i = 0; i < unique.length;) {
    let j = i + 1;
    while (j < unique.length && unique[j] === unique[j - 1]! + 1) j++;
    const start = unique[i]!, count = j - i;
    const block = (await reader.readRows(start, count)).data as Uint8Array;
    if (block.length !== count * size) {
      throw new RangeError(`Row "${start + block.length / size}" is outside the data set`);
    }
    for (let k = 0; k < count; k++) {
      offsets.set(start + k, block.subarray(k * size, (k + 1) * size));
    }
    i = j;
  }
  rows.forEach((r, k) => out.set(offsets.get(r)!, k * size));
  return out;
}
