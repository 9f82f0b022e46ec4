/**
 * Test fixtures of `extract_features` and `pretrain`: a tiny data set
 * directory whose classes are learnable (a bright square in a class-specific
 * corner, over seeded noise), and a backbone directory around a saved model.
 */
import { type BackboneInfo, createDatasetWriter, Prng } from "@dropline/ml";

/** Options of {@link writeTinyDataset}. */
export interface TinyDatasetOptions {
  /** Height, width, channels; default [8, 8, 1]. */
  shape?: [number, number, number];
  /** Default 3 (at most 4: one corner each). */
  classes?: number;
  /** Default ["a", "b"]. */
  domains?: string[];
  /** Images per class and domain; default 10. */
  perClass?: number;
  seed?: number;
}

/**
 * Writes the data set into a new temporary directory and returns its path.
 *
 * @example
 * ```ts
 * const dir = await writeTinyDataset({ shape: [8, 8, 3] });
 * ```
 */
export async function writeTinyDataset(options: TinyDatasetOptions = {}): Promise<string> {
  const [h, w, c] = options.shape ?? [8, 8, 1];
  const classes = options.classes ?? 3;
  const domains = options.domains ?? ["a", "b"];
  const dir = await Deno.makeTempDir({ prefix: "dropline-tiny-dataset-" });
  const writer = await createDatasetWriter(dir, {
    classes: Array.from({ length: classes }, (_, k) => `class${k}`),
    domains,
    imageShape: [h, w, c],
  });
  const rng = Prng.fromSeed(options.seed ?? 0);
  for (let d = 0; d < domains.length; d++) {
    for (let i = 0; i < (options.perClass ?? 10); i++) {
      for (let k = 0; k < classes; k++) {
        await writer.add(tinyImage([h, w, c], k, d, rng), k, d);
      }
    }
  }
  await writer.finish();
  return dir;
}

function tinyImage(shape: [number, number, number], k: number, d: number, rng: Prng) {
  const [h, w, c] = shape;
  const image = new Uint8Array(h * w * c);
  const [y0, x0] = [k & 1 ? h >> 1 : 0, k & 2 ? w >> 1 : 0];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = y >= y0 && y < y0 + (h >> 1) && x >= x0 && x < x0 + (w >> 1);
      for (let ch = 0; ch < c; ch++) {
        const base = inside ? 160 + 30 * d : 20;
        image[(y * w + x) * c + ch] = Math.min(255, base + rng.int(60));
      }
    }
  }
  return image;
}

/**
 * Writes `backbone.json` beside a model saved in `dir` (as the `backbone` task would).
 *
 * @example
 * ```ts
 * await writeBackboneJson(dir, { modelFormat: "graph", inputSize: [4, 4], featureLayer: null });
 * ```
 */
export async function writeBackboneJson(
  dir: string,
  info: Partial<BackboneInfo> & Pick<BackboneInfo, "modelFormat" | "inputSize">,
): Promise<void> {
  const full: BackboneInfo = {
    format: "dropline-backbone",
    version: 1,
    source: `file://${dir}`,
    channels: 3,
    preprocessing: { scale: 1 / 255, offset: 0, mean: [0, 0, 0], std: [1, 1, 1] },
    featureLayer: null,
    featureDimension: null,
    weightFiles: [],
    ...info,
  };
  await Deno.writeTextFile(`${dir}/backbone.json`, JSON.stringify(full, null, 2));
}
