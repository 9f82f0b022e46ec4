/**
 * The images of a data set's chosen domains, held in memory as uint8 (a
 * backbone is pretrained on small images such as MNIST's), with their labels,
 * domain ids and split flags. Other domains are never read into memory.
 */
import { readDataset } from "@dropline/ml";

/** The chosen domains' rows, in data set order. */
export interface DomainImages {
  /** Height, width, channels. */
  shape: [number, number, number];
  classes: string[];
  /** All of the data set's domain names (ids index into it). */
  domainNames: string[];
  images: Uint8Array;
  labels: Int32Array;
  /** Data set domain id of each row. */
  domains: Int32Array;
  split: Uint8Array;
}

// Rows read per call: large enough to amortise the syscalls, small enough to stay bounded.
const CHUNK = 2048;

/**
 * Reads the rows of `domainIds` from the data set in `dir`.
 *
 * @example
 * ```ts
 * const data = await loadDomainImages(dir, [0, 1, 2]);
 * console.log(data.labels.length, data.shape);
 * ```
 */
export async function loadDomainImages(dir: string, domainIds: number[]): Promise<DomainImages> {
  const data = await readDataset(dir);
  const chosen = new Set(domainIds);
  const rows = Int32Array.from(data.domains.keys()).filter((i) => chosen.has(data.domains[i]!));
  const [h, w, c] = data.info.imageShape;
  const size = h * w * c;
  const images = new Uint8Array(rows.length * size);
  const reader = await data.openImages();
  try {
    let k = 0;
    for (let start = 0; start < data.info.count && k < rows.length; start += CHUNK) {
      if (rows[k]! >= start + CHUNK) continue; // no chosen row in this chunk
      const chunk = (await reader.readRows(start, CHUNK)).data as Uint8Array;
      while (k < rows.length && rows[k]! < start + CHUNK) {
        const at = (rows[k]! - start) * size;
        images.set(chunk.subarray(at, at + size), k * size);
        k++;
      }
    }
  } finally {
    reader.close();
  }
  return {
    shape: [h, w, c],
    classes: data.info.classes,
    domainNames: data.info.domains,
    images,
    labels: Int32Array.from(rows, (i) => data.labels[i]!),
    domains: Int32Array.from(rows, (i) => data.domains[i]!),
    split: Uint8Array.from(rows, (i) => data.split[i]!),
  };
}
