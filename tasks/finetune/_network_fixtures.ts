/**
 * Test fixtures for the backbone path: tiny image data sets and tiny Layers
 * backbones - a DomainBed-style CNN with group norm, and a residual network
 * with BatchNorm built only from the standard layers a converted ResNet uses.
 */
import { BackboneInfo, createDatasetWriter, Prng } from "@dropline/ml";
import { loadTensorRuntime, mnistCnn, saveModelToDir, type Tf } from "@dropline/tensor";
import type * as TfLayers from "@tensorflow/tfjs-layers";

/** Options of {@link writeTinyDataset}. */
export interface TinyDatasetOptions {
  perDomain?: number;
  /** 1 (grey, the default) or 3 (RGB: each class tints one channel as well). */
  channels?: 1 | 3;
  size?: number;
}

/** Images where each class lights one region; domains shift the brightness. */
export async function writeTinyDataset(options: TinyDatasetOptions = {}): Promise<string> {
  const { perDomain = 40, channels = 1, size = 8 } = options;
  const dir = await Deno.makeTempDir({ prefix: "dropline-dataset-" });
  const domains = ["art", "cartoon", "photo", "sketch"];
  const writer = await createDatasetWriter(dir, {
    classes: ["a", "b", "c"],
    domains,
    imageShape: [size, size, channels],
  });
  const rng = Prng.fromSeed(3);
  const half = size / 2;
  for (let d = 0; d < domains.length; d++) {
    for (let i = 0; i < perDomain; i++) {
      const label = i % 3;
      const image = new Uint8Array(size * size * channels);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const lit = (label === 0 && y < half && x < half) ||
            (label === 1 && y < half && x >= half) || (label === 2 && y >= half);
          for (let k = 0; k < channels; k++) {
            const tint = channels === 3 && k === label ? 30 : 0;
            image[(y * size + x) * channels + k] = Math.max(
              0,
              Math.min(255, (lit ? 160 : 40) + tint + 20 * d + 40 * rng.normal()),
            );
          }
        }
      }
      await writer.add(image, label, d);
    }
  }
  await writer.finish();
  return dir;
}

async function writeInfo(dir: string, info: Record<string, unknown>): Promise<void> {
  const full = {
    format: "dropline-backbone",
    version: 1,
    modelFormat: "layers",
    source: "test",
    weightFiles: ["weights.bin"],
    ...info,
  };
  await Deno.writeTextFile(`${dir}/backbone.json`, JSON.stringify(BackboneInfo.parse(full)));
}

/** A small DomainBed-style CNN (random weights) with its backbone.json; features are 8-d. */
export async function writeTinyBackbone(): Promise<string> {
  const rt = await loadTensorRuntime({ backend: "cpu", log: () => {} });
  const dir = await Deno.makeTempDir({ prefix: "dropline-backbone-" });
  const model = mnistCnn(rt.tf, {
    inputShape: [8, 8, 1],
    classes: 3,
    filters: [4, 8, 8, 8],
    groups: 2,
  });
  await saveModelToDir(model, dir);
  await writeInfo(dir, {
    inputSize: [8, 8],
    channels: 1,
    preprocessing: { scale: 1 / 255, offset: 0, mean: [0], std: [1] },
    featureLayer: "features",
    featureDimension: 8,
  });
  return dir;
}

/**
 * A tiny ResNet in the shape of a converted torchvision one (random weights,
 * perturbed BatchNorm statistics): stem (zero padding, conv, BN, ReLU, max
 * pool), a residual block with an identity shortcut and one with a strided
 * projection, global average pooling `features` (16-d) and a dense `fc`.
 * Input 8x8x3 with ImageNet normalisation. 3 blocks: stem, block1, block2.
 */
export async function writeTinyResNet(): Promise<string> {
  const { tf } = await loadTensorRuntime({ backend: "cpu", log: () => {} });
  const dir = await Deno.makeTempDir({ prefix: "dropline-resnet-" });
  const model = tinyResNet(tf);
  const rng = Prng.fromSeed(11);
  for (const layer of model.layers.filter((l) => l.getClassName() === "BatchNormalization")) {
    const [gamma, beta, mean, variance] = layer.getWeights().map((w) => w.shape[0]!);
    layer.setWeights([
      tf.tensor1d(Array.from({ length: gamma! }, () => 0.5 + rng.next())),
      tf.tensor1d(Array.from({ length: beta! }, () => 0.2 * rng.normal())),
      tf.tensor1d(Array.from({ length: mean! }, () => 0.3 * rng.normal())),
      tf.tensor1d(Array.from({ length: variance! }, () => 0.5 + rng.next())),
    ]);
  }
  await saveModelToDir(model, dir);
  await writeInfo(dir, {
    inputSize: [8, 8],
    channels: 3,
    preprocessing: {
      scale: 1 / 255,
      offset: 0,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    },
    featureLayer: "features",
    featureDimension: 16,
  });
  return dir;
}

function tinyResNet(tf: Tf): TfLayers.LayersModel {
  const L = tf.layers;
  const bn = (name: string) => L.batchNormalization({ name, epsilon: 1e-5, momentum: 0.9 });
  const conv = (name: string, filters: number, kernelSize: number, strides = 1) =>
    L.conv2d({ name, filters, kernelSize, strides, padding: "same", useBias: false });
  const apply = (layer: TfLayers.layers.Layer, x: unknown) =>
    layer.apply(x as TfLayers.SymbolicTensor) as TfLayers.SymbolicTensor;
  const input = tf.input({ shape: [8, 8, 3], name: "input" });
  let x = apply(L.zeroPadding2d({ padding: 1, name: "stem_pad" }), input);
  x = apply(L.conv2d({ name: "conv1", filters: 8, kernelSize: 3, useBias: false }), x);
  x = apply(L.reLU({ name: "stem_relu" }), apply(bn("bn1"), x));
  x = apply(L.maxPooling2d({ poolSize: 2, name: "stem_pool" }), x);
  const block = (
    name: string,
    input: TfLayers.SymbolicTensor,
    filters: number,
    strides: number,
  ) => {
    let y = apply(
      L.reLU({ name: `${name}_relu1` }),
      apply(bn(`${name}_bn1`), apply(conv(`${name}_conv1`, filters, 3, strides), input)),
    );
    y = apply(bn(`${name}_bn2`), apply(conv(`${name}_conv2`, filters, 3), y));
    const shortcut = strides === 1 && filters === input.shape[3]
      ? input
      : apply(bn(`${name}_down_bn`), apply(conv(`${name}_down_conv`, filters, 1, strides), input));
    return apply(
      L.reLU({ name: `${name}_relu2` }),
      L.add({ name: `${name}_add` }).apply([y, shortcut]),
    );
  };
  x = block("block1", x, 8, 1);
  x = block("block2", x, 16, 2);
  const features = apply(L.globalAveragePooling2d({ name: "features" }), x);
  const fc = apply(L.dense({ units: 10, name: "fc" }), features);
  return tf.model({ inputs: input, outputs: fc, name: "tiny_resnet" });
}
