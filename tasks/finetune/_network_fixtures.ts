/** Test fixtures for the backbone path: a tiny image data set and a tiny Layers backbone. */
import { BackboneInfo, createDatasetWriter, Prng } from "@dropline/ml";
import { loadTensorRuntime, mnistCnn, saveModelToDir } from "@dropline/tensor";

const SIZE = 8;

/** 8x8 grey images: each class lights one quadrant; domains shift the brightness. */
export async function writeTinyDataset(perDomain = 40): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "dropline-dataset-" });
  const domains = ["art", "cartoon", "photo", "sketch"];
  const writer = await createDatasetWriter(dir, {
    classes: ["a", "b", "c"],
    domains,
    imageShape: [SIZE, SIZE, 1],
  });
  const rng = Prng.fromSeed(3);
  for (let d = 0; d < domains.length; d++) {
    for (let i = 0; i < perDomain; i++) {
      const label = i % 3;
      const image = new Uint8Array(SIZE * SIZE);
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) {
          const lit = (label === 0 && y < 4 && x < 4) || (label === 1 && y < 4 && x >= 4) ||
            (label === 2 && y >= 4);
          image[y * SIZE + x] = Math.max(
            0,
            Math.min(255, (lit ? 160 : 40) + 20 * d + 40 * rng.normal()),
          );
        }
      }
      await writer.add(image, label, d);
    }
  }
  await writer.finish();
  return dir;
}

/** A small DomainBed-style CNN (random weights) with its backbone.json; features are 8-d. */
export async function writeTinyBackbone(): Promise<string> {
  const rt = await loadTensorRuntime({ backend: "cpu", log: () => {} });
  const dir = await Deno.makeTempDir({ prefix: "dropline-backbone-" });
  const model = mnistCnn(rt.tf, {
    inputShape: [SIZE, SIZE, 1],
    classes: 3,
    filters: [4, 8, 8, 8],
    groups: 2,
  });
  await saveModelToDir(model, dir);
  const info = {
    format: "dropline-backbone",
    version: 1,
    modelFormat: "layers",
    source: "test",
    inputSize: [SIZE, SIZE],
    channels: 1,
    preprocessing: { scale: 1 / 255, offset: 0, mean: [0], std: [1] },
    featureLayer: "features",
    featureDimension: 8,
    weightFiles: ["weights.bin"],
  };
  await Deno.writeTextFile(`${dir}/backbone.json`, JSON.stringify(BackboneInfo.parse(info)));
  return dir;
}
